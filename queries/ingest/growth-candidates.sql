-- Entries each file may have grown from: the same path (an appended log) or the same
-- first 4 KiB; the caller confirms by hashing the file's prefix of the entry's length.
-- Only text entries that ended with a newline: an unfinished last line cannot be resumed safely.
-- The lists are parallel, one item per file of $format; i is the file's place in them, from 0.
WITH probe AS (
  SELECT unnest($absolute_paths) AS absolute_path, unnest($head_sha256s) AS head_sha256,
         unnest($max_bytes)::BIGINT AS max_bytes, (generate_subscripts($absolute_paths, 1) - 1)::INTEGER AS i
),
-- Two equi-joins, not one join on an OR: that would compare every file with every entry.
candidates AS (
  SELECT p.i, p.max_bytes, f.* FROM probe p JOIN ingested_files f ON f.absolute_path = p.absolute_path
  UNION
  SELECT p.i, p.max_bytes, f.* FROM probe p JOIN ingested_files f ON f.head_sha256 = p.head_sha256 AND f.content_bytes >= 4096
)
SELECT i, file_id, path, content_bytes, content_sha256, total_lines
FROM candidates
WHERE content_bytes < max_bytes AND format = $format AND format <> 'parquet' AND ends_with_newline
ORDER BY i, content_bytes DESC;
