-- The content hash of each file as it was when its stat was taken (src/ingest/stat-cache.ts);
-- the three lists are parallel.
INSERT OR REPLACE INTO file_stat_cache
SELECT unnest($absolute_paths) AS absolute_path, unnest($stat_keys) AS stat_key, unnest($content_sha256s) AS content_sha256;
