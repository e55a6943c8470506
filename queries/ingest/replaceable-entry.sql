-- An earlier entry that a new ingest of the same content may replace: it rejected every line
-- it read (nothing loaded, nothing a duplicate), it was read with another format or mapping
-- (a --format or --map slip, now corrected), it started at line 1 and no entry extends it.
-- Re-reading it the same way would reject the same lines, so that stays "already ingested".
SELECT f.file_id, f.format, f.path
FROM ingested_files f
WHERE f.file_id = $file_id
  AND f.lines_read > 0 AND f.loaded = 0 AND f.duplicates = 0 AND f.rejected = f.lines_read
  AND f.first_line = 1
  AND (f.format <> $format OR f.mapping <> $mapping)
  AND NOT EXISTS (SELECT 1 FROM ingested_files g WHERE g.extends_file_id = f.file_id);
