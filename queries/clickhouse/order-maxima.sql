-- The largest stored ids, for the local time order key (queries/mirror/order-spans.sql):
-- the same spans as queries/audit/order-spans.sql takes from a DuckDB database.
SELECT toInt64(max(part)) AS max_part, toInt64(max(line_no)) AS max_line_no, toInt64(max(file_id)) AS max_file_id
FROM {{db}}.{{connections}}
WHERE file_id GLOBAL IN (SELECT file_id FROM committed_files)
