-- An entry with exactly this content, if any (the file was ingested before, maybe under another name).
SELECT file_id, path FROM ingested_files WHERE content_sha256 = $content_sha256 ORDER BY file_id LIMIT 1;
