-- The cluster's logged pairs (queries/clickhouse/logged-pairs.sql) as audit_logged_pairs.
CREATE OR REPLACE TEMP TABLE audit_logged_pairs AS
SELECT logged, dc_ip FROM read_json($path, format = 'newline_delimited', columns = {logged: 'VARCHAR', dc_ip: 'VARCHAR'});
