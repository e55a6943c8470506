-- audit_session_lacks (queries/audit/session-lacks.sql's columns) from the cluster's (session,
-- file) pairs of partial files (queries/clickhouse/session-partial-files.sql) and the registry.
CREATE OR REPLACE TEMP TABLE audit_session_lacks AS
SELECT c.session_id, list_sort(list_distinct(flatten(list(f.lacks)))) AS lacks,
  list_sort(list_distinct(list(f.source))) AS partial_sources
FROM read_json($path, format = 'newline_delimited', columns = {session_id: 'VARCHAR', file_id: 'BIGINT'}) c
JOIN ingested_files f ON f.file_id = c.file_id
GROUP BY c.session_id;
