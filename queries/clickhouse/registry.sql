-- The committed registry, for the local mirror (src/ingest/clickhouse-store.ts).
SELECT * FROM {{db}}.{{files}} WHERE file_id GLOBAL IN (SELECT file_id FROM committed_files) ORDER BY file_id
