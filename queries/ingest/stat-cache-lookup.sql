-- The registry entry of a file unchanged on disk since its content was hashed (src/ingest/stat-cache.ts).
SELECT f.file_id, f.path
FROM file_stat_cache c
JOIN ingested_files f USING (content_sha256)
WHERE c.absolute_path = $absolute_path AND c.stat_key = $stat_key
ORDER BY f.file_id
LIMIT 1;
