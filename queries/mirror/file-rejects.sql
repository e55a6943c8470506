-- The cluster's rejects of files found already ingested (queries/clickhouse/file-rejects.sql)
-- into the local rejects, where run-files.sql and run-rejects.sql read them.
INSERT INTO rejects BY NAME
SELECT * FROM read_json($path, format = 'newline_delimited', columns = {
  file_id: 'BIGINT', line_no: 'BIGINT', part: 'INTEGER', reason: 'VARCHAR', raw: 'VARCHAR', raw_bytes: 'BIGINT', raw_sha256: 'VARCHAR'});
