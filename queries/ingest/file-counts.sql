-- What each file being committed contributes: its lines from the staging table, and the rows
-- commit-files.sql actually stored under its id (the stored tables are appended in file order,
-- so the filter on [$min_file_id, $max_file_id] skips older row groups by their statistics).
-- $file_ids as in commit-files.sql; one row per committed file.
WITH ids AS (
  SELECT (i - 1)::INTEGER AS file_pos, id::BIGINT AS file_id
  FROM (SELECT unnest($file_ids) AS id, generate_subscripts($file_ids, 1) AS i)
  WHERE id IS NOT NULL
),
lines AS (SELECT file_pos, count(*) AS n FROM staged_records GROUP BY file_pos),
loaded AS (SELECT file_id, count(*) AS n FROM connections WHERE file_id BETWEEN $min_file_id AND $max_file_id GROUP BY file_id),
copies AS (SELECT file_id, count(*) AS n FROM duplicates WHERE file_id BETWEEN $min_file_id AND $max_file_id GROUP BY file_id),
refused AS (SELECT file_id, count(*) AS n FROM rejects WHERE file_id BETWEEN $min_file_id AND $max_file_id GROUP BY file_id)
SELECT ids.file_pos, ids.file_id,
  coalesce(lines.n, 0) AS lines_read, coalesce(loaded.n, 0) AS loaded,
  coalesce(copies.n, 0) AS duplicates, coalesce(refused.n, 0) AS rejected
FROM ids
LEFT JOIN lines USING (file_pos)
LEFT JOIN loaded USING (file_id)
LEFT JOIN copies USING (file_id)
LEFT JOIN refused USING (file_id)
ORDER BY ids.file_pos;
