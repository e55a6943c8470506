-- The first entry with exactly each content, if any (the file was ingested before, maybe under
-- another name): i is the content's place in $content_sha256s, from 0; no entry, no row.
WITH probe AS (
  SELECT unnest($content_sha256s) AS content_sha256, (generate_subscripts($content_sha256s, 1) - 1)::INTEGER AS i
)
SELECT p.i, min(f.file_id) AS file_id, arg_min(f.path, f.file_id) AS path, arg_min(f.source, f.file_id) AS source,
  -- Whether another reading might replace the entry (replaceable-entry.sql asks it exactly): it rejected every line.
  arg_min(f.lines_read > 0 AND f.loaded = 0 AND f.duplicates = 0 AND f.rejected = f.lines_read AND f.first_line = 1, f.file_id) AS wholly_rejected
FROM probe p
JOIN ingested_files f ON f.content_sha256 = p.content_sha256
GROUP BY p.i
ORDER BY p.i;
