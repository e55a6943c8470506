-- The attempts of the candidate sessions (queries/clickhouse/candidate-attempts.sql) as the local
-- connections, which attempts.sql reads (emptied first: mirror/forget-stored.sql).
INSERT INTO connections BY NAME
SELECT make_timestamp(ts_us)::TIMESTAMPTZ AS ts, * EXCLUDE (ts_us)
FROM read_json($path, format = 'newline_delimited', columns = {
  ts_us: 'BIGINT', session_id: 'VARCHAR', dc_id: 'VARCHAR', dc_ip: 'VARCHAR', outcome: 'VARCHAR', tier: 'VARCHAR',
  attempt: 'INTEGER', latency_ms: 'INTEGER', account_id: 'VARCHAR', meeting_id: 'VARCHAR', user_id: 'VARCHAR',
  client_ip: 'VARCHAR', client_country: 'VARCHAR', traffic: 'VARCHAR', file_id: 'BIGINT', line_no: 'BIGINT', part: 'INTEGER'});
