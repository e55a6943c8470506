-- The registry entry of each file unchanged on disk since its content was hashed
-- (src/ingest/stat-cache.ts): i is the file's place in the parallel lists, from 0; a file with
-- no such entry has no row.
WITH probe AS (
  SELECT unnest($absolute_paths) AS absolute_path, unnest($stat_keys) AS stat_key,
         (generate_subscripts($absolute_paths, 1) - 1)::INTEGER AS i
)
SELECT p.i, min(f.file_id) AS file_id, arg_min(f.path, f.file_id) AS path
FROM probe p
JOIN file_stat_cache c ON c.absolute_path = p.absolute_path AND c.stat_key = p.stat_key
JOIN ingested_files f ON f.content_sha256 = c.content_sha256
GROUP BY p.i
ORDER BY p.i;
