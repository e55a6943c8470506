/**
 * The shape of every result the audit reads from SQL (queries/detections and
 * queries/audit), one definition each; Database.rows checks a result against its
 * shape once per query (src/db/shape.ts).
 */
import { rowShape } from '../db/shape.js';

/** What a session rule's query selects; `raised` only when its header says what raises the severity. */
export const SESSION_RULE_ROW = rowShape('a session rule row', {
  session_id: 'text',
  dc_id: 'text',
  dc_region: 'text',
  evidence_file_id: 'integer',
  evidence_line_no: 'integer',
  evidence_part: 'integer',
  detail: 'text',
});
export const RAISED_SESSION_RULE_ROW = rowShape('a session rule row with a raised severity', { ...SESSION_RULE_ROW.columns, raised: 'boolean' });

/** What a policy rule's query selects. */
export const POLICY_RULE_ROW = rowShape('a policy finding row', {
  id: 'text',
  path: 'text',
  message: 'text',
  client_region: 'text?',
  datacenter: 'text?',
});

/** What a window rule's query selects: one row per client region and window. */
export const WINDOW_RULE_ROW = rowShape('a fallback window row', {
  client_region: 'text',
  window_start: 'timestamp',
  window_end: 'timestamp',
  sessions: 'integer',
  connected: 'integer',
  via_secondary: 'integer',
  rate: 'number?',
  never_connected: 'integer',
  failure_rate: 'number',
  baseline_rate: 'number?',
  flags: 'text[]',
  suppression_index: 'integer?',
  suppression_reason: 'text?',
  suppression_until: 'timestamp?',
});

export const FINDING_ROW = rowShape('a session finding row', {
  rule: 'text',
  severity: 'text',
  status: 'text',
  incident_id: 'text?',
  session_id: 'text',
  session_start: 'timestamp',
  account_id: 'text?',
  meeting_id: 'text?',
  user_id: 'text?',
  client_country: 'text?',
  country_source: 'text?',
  client_region: 'text',
  dc_id: 'text',
  dc_region: 'text',
  traffic: 'text[]',
  detail: 'text',
  evidence_file: 'text',
  evidence_line_no: 'integer',
  evidence_ts: 'timestamp',
  evidence_logged_dc_id: 'text',
  evidence_dc_ip: 'text?',
  evidence_placed_by: 'text?',
  evidence_outcome: 'text',
  evidence_tier: 'text',
  evidence_traffic: 'text?',
  suppression_index: 'integer?',
  suppression_reason: 'text?',
  suppression_until: 'timestamp?',
});

export const INCIDENT_ROW = rowShape('an incident row', {
  incident_id: 'text',
  rule: 'text',
  severity: 'text',
  client_region: 'text',
  dc_region: 'text',
  first_seen: 'timestamp',
  last_seen: 'timestamp',
  session_count: 'integer',
  session_ids: 'text[]',
  accounts: 'text[]',
  meetings: 'integer',
  users: 'integer',
  client_countries: 'text[]',
  datacenters: 'struct[]',
  traffic: 'text[]',
  key_exchange_sessions: 'integer',
});

/** not-assessable.sql: per capability some sources lack, the sessions in the window they gave, and those sources. */
export const NOT_ASSESSABLE_ROW = rowShape('a not-assessable row', { capability: 'text', sessions: 'integer', sources: 'text[]' });

export const COVERAGE_ROW = rowShape('a coverage row', {
  client_region: 'text',
  sessions: 'integer',
  connected: 'integer',
  never_connected: 'integer',
  fenced_region_sessions: 'integer',
  country_from_ip: 'integer',
  country_from_network: 'integer',
  ip_without_country: 'integer',
});

export const COUNTRY_MISMATCH_ROW = rowShape('a country-pair row', { rule: 'text', declared: 'text', resolved: 'text', sessions: 'integer' });
export const IP_RESOLUTION_ROW = rowShape('an address-resolution row', { status: 'text', sessions: 'integer', addresses: 'integer' });
export const INGEST_TOTALS_ROW = rowShape('the ingest totals', { files: 'integer', lines_read: 'integer', loaded: 'integer', duplicates: 'integer', rejected: 'integer' });
export const LATE_SESSION_ROW = rowShape('a late session row', { session_id: 'text', session_start: 'timestamp', files: 'text[]' });
export const SESSION_BOUNDS_ROW = rowShape('the whole days of the audited sessions', { first_day: 'text?', end_day: 'text?' });
export const SCAN_START_ROW = rowShape('the starts of the attempts scans', { lookback_scan_start: 'timestamp?', window_scan_start: 'timestamp?' });
export const WATERMARK_ROW = rowShape('the highest file id', { watermark_file_id: 'integer?' });
export const PREVIOUS_RUN_ROW = rowShape('the run before', { run_id: 'text?', watermark_file_id: 'integer?' });

export const LEDGER_ENTRY_ROW = rowShape('an incident ledger entry', {
  incident_id: 'text',
  rule: 'text',
  client_region: 'text',
  dc_region: 'text',
  severity: 'text',
  first_seen: 'timestamp',
  last_seen: 'timestamp',
  session_count: 'integer',
  cause_finding_ids: 'text[]',
  first_reported_at: 'timestamp',
  first_reported_run: 'text',
  last_reported_at: 'timestamp',
  last_reported_run: 'text',
  status: 'text',
  resolution: 'text?',
  resolved_run: 'text?',
  reopened_run: 'text?',
});

/** A count (queries/mirror/fact-count.sql, partial-file-count.sql). */
export const COUNT_ROW = rowShape('a count', { n: 'integer' });

/** mirror/split-sessions.sql: sessions whose facts came from two shards. */
export const SPLIT_SESSIONS_ROW = rowShape('the sessions split across shards', { n: 'integer', example: 'text?' });
