-- Entries each file may have grown from: the same path (an appended log) or the same
-- first 4 KiB; the caller confirms by hashing the file's prefix of the entry's length.
-- Only text entries that ended with a newline: an unfinished last line cannot be resumed safely.
-- The lists are parallel, one item per file of $format; i is the file's place in them, from 0.
WITH probe AS (
  SELECT unnest($absolute_paths) AS absolute_path, unnest($head_sha256s) AS head_sha256,
         unnest($max_bytes)::BIGINT AS max_bytes, (generate_subscripts($absolute_paths, 1) - 1)::INTEGER AS i
)
SELECT p.i, f.file_id, f.path, f.content_bytes, f.content_sha256, f.total_lines
FROM probe p
JOIN ingested_files f
  ON f.content_bytes < p.max_bytes
 AND (f.absolute_path = p.absolute_path OR (f.head_sha256 = p.head_sha256 AND f.content_bytes >= 4096))
WHERE f.format = $format AND f.format <> 'parquet' AND f.ends_with_newline
ORDER BY p.i, f.content_bytes DESC;
