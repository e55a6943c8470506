-- The cluster's session facts (queries/clickhouse/session-facts.sql, a JSONEachRow file) as
-- audit_session_facts, with the columns and types queries/audit/session-facts.sql gives; the
-- first attempt's time order key is made here, from the local spans (mirror/order-spans.sql).
CREATE OR REPLACE TEMP TABLE audit_session_facts AS
SELECT f.session_id,
  make_timestamp(f.start_us)::TIMESTAMPTZ AS session_start,
  make_timestamp(f.end_us)::TIMESTAMPTZ AS session_end,
  ra_time_order(make_timestamp(f.first_ts_us)::TIMESTAMPTZ, f.first_file_id, f.first_line_no, f.first_part,
    o.ts_span, o.line_span, o.part_span) AS first_ord,
  f.declared_country, f.account_id, f.meeting_id, f.user_id, f.client_ip,
  f.attempts, f.connected::BOOLEAN AS connected,
  CASE WHEN f.connected = 1 THEN f.last_connected_dc_id END AS last_connected_dc_id,
  CASE WHEN f.connected = 1 THEN f.last_connected_dc_ip END AS last_connected_dc_ip,
  CASE WHEN f.connected = 1 THEN f.last_connected_logged_tier END AS last_connected_logged_tier,
  f.late::BOOLEAN AS late, f.in_window::BOOLEAN AS in_window
FROM read_json($path, format = 'newline_delimited', columns = {
  session_id: 'VARCHAR', start_us: 'BIGINT', end_us: 'BIGINT', first_ts_us: 'BIGINT', first_file_id: 'BIGINT',
  first_line_no: 'BIGINT', first_part: 'INTEGER', declared_country: 'VARCHAR', account_id: 'VARCHAR',
  meeting_id: 'VARCHAR', user_id: 'VARCHAR', client_ip: 'VARCHAR', attempts: 'BIGINT', connected: 'INTEGER',
  last_connected_dc_id: 'VARCHAR', last_connected_dc_ip: 'VARCHAR', last_connected_logged_tier: 'VARCHAR',
  late: 'INTEGER', in_window: 'INTEGER'}) f, audit_order_spans o;
