-- The registry entry of each file unchanged on disk since its content was hashed
-- (src/ingest/stat-cache.ts): i is the file's place in the parallel lists, from 0; a file with
-- no such entry has no row.
WITH probe AS (
  SELECT unnest($absolute_paths) AS absolute_path, unnest($stat_keys) AS stat_key,
         (generate_subscripts($absolute_paths, 1) - 1)::INTEGER AS i
)
SELECT p.i, min(f.file_id) AS file_id, arg_min(f.path, f.file_id) AS path, arg_min(f.source, f.file_id) AS source,
  -- Whether another reading might replace the entry (replaceable-entry.sql asks it exactly): it rejected every line.
  arg_min(f.lines_read > 0 AND f.loaded = 0 AND f.duplicates = 0 AND f.rejected = f.lines_read AND f.first_line = 1, f.file_id) AS wholly_rejected
FROM probe p
JOIN file_stat_cache c ON c.absolute_path = p.absolute_path AND c.stat_key = p.stat_key
JOIN ingested_files f ON f.content_sha256 = c.content_sha256
GROUP BY p.i
ORDER BY p.i;
