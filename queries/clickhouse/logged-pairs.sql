-- Every (dc_id, dc_ip) pair the attempts scan will read (queries/audit/logged-pairs.sql): a
-- handful of rows, placed locally by dc-placement.sql.
SELECT DISTINCT dc_id AS logged, dc_ip FROM {{db}}.{{connections}}
WHERE file_id GLOBAL IN (SELECT file_id FROM committed_files) AND ifNull(ts_us >= $scan_start_us, 1)
