-- The stored rejects of the probed files: a run that finds files already ingested names their
-- rejected lines too (queries/ingest/run-rejects.sql), as it does on DuckDB.
SELECT file_id, line_no, part, reason, raw, raw_bytes, raw_sha256 FROM {{db}}.{{rejects}}
WHERE file_id GLOBAL IN (SELECT file_id FROM probe_files)
