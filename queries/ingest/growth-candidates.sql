-- Entries this file may have grown from: the same path (an appended log) or the same
-- first 4 KiB; the caller confirms by hashing this file's prefix of the entry's length.
-- Only text entries that ended with a newline: an unfinished last line cannot be resumed safely.
SELECT file_id, path, content_bytes, content_sha256, total_lines
FROM ingested_files
WHERE format = $format AND format <> 'parquet' AND ends_with_newline
  AND content_bytes < $max_bytes
  AND (absolute_path = $absolute_path OR (head_sha256 = $head_sha256 AND content_bytes >= 4096))
ORDER BY content_bytes DESC;
