-- The first entry with exactly each content, if any (the file was ingested before, maybe under
-- another name): i is the content's place in $content_sha256s, from 0; no entry, no row.
WITH probe AS (
  SELECT unnest($content_sha256s) AS content_sha256, (generate_subscripts($content_sha256s, 1) - 1)::INTEGER AS i
)
SELECT p.i, min(f.file_id) AS file_id, arg_min(f.path, f.file_id) AS path
FROM probe p
JOIN ingested_files f ON f.content_sha256 = p.content_sha256
GROUP BY p.i
ORDER BY p.i;
