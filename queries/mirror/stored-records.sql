-- Stored records of the cluster that may equal this file's (queries/clickhouse/stored-records.sql:
-- its sessions, inside its time range), into the local connections, where stored-matches.sql
-- finds them as it finds a DuckDB database's own. Also the attempts of the audit's candidate
-- sessions (queries/clickhouse/candidate-attempts.sql), which attempts.sql reads.
INSERT INTO connections BY NAME
SELECT make_timestamp(ts_us)::TIMESTAMPTZ AS ts, * EXCLUDE (ts_us)
FROM read_json($path, format = 'newline_delimited', columns = {
  ts_us: 'BIGINT', session_id: 'VARCHAR', dc_id: 'VARCHAR', dc_ip: 'VARCHAR', outcome: 'VARCHAR', tier: 'VARCHAR',
  attempt: 'INTEGER', latency_ms: 'INTEGER', account_id: 'VARCHAR', meeting_id: 'VARCHAR', user_id: 'VARCHAR',
  client_ip: 'VARCHAR', client_country: 'VARCHAR', traffic: 'VARCHAR', file_id: 'BIGINT', line_no: 'BIGINT', part: 'INTEGER'});
