-- The tables each node holds itself (docs/clickhouse.md). Run on every node named by
-- --clickhouse: ON CLUSTER would need ZooKeeper. The columns are those of queries/schema.sql,
-- with times as epoch microseconds in an Int64 (18.16 has no DateTime64) and booleans as UInt8.
-- Nothing here is ever updated: a file's rows are inserted once, and its registry entry
-- (files_local), inserted last, is what makes them visible (queries/clickhouse/committed.sql).
CREATE DATABASE IF NOT EXISTS {{db}};

CREATE TABLE IF NOT EXISTS {{db}}.{{connections_local}} (
  ts_us Int64, session_id String, dc_id String, dc_ip Nullable(String), outcome String, tier Nullable(String),
  attempt Nullable(Int32), latency_ms Nullable(Int32), account_id Nullable(String), meeting_id Nullable(String),
  user_id Nullable(String), client_ip Nullable(String), client_country Nullable(String), traffic Nullable(String),
  file_id Int64, line_no Int64, part Int32,
  -- The keys candidates.sql joins routine_classes on: a NULL never equals in a JOIN, so each
  -- nullable key is a flag and a value. ALIAS: computed on read, never stored.
  dc_ip_null UInt8 ALIAS isNull(dc_ip), dc_ip_value String ALIAS ifNull(dc_ip, ''),
  tier_null UInt8 ALIAS isNull(tier), tier_value String ALIAS ifNull(tier, '')
) ENGINE = MergeTree ORDER BY (ts_us, session_id);

CREATE TABLE IF NOT EXISTS {{db}}.{{rejects_local}} (
  file_id Int64, line_no Int64, part Int32, reason String, raw Nullable(String), raw_bytes Int64, raw_sha256 Nullable(String)
) ENGINE = MergeTree ORDER BY (file_id, line_no, part);

CREATE TABLE IF NOT EXISTS {{db}}.{{duplicates_local}} (
  file_id Int64, line_no Int64, part Int32, original_file_id Int64, original_line_no Int64, original_part Int32
) ENGINE = MergeTree ORDER BY (file_id, line_no, part);

CREATE TABLE IF NOT EXISTS {{db}}.{{files_local}} (
  file_id Int64, path String, absolute_path String, format String, compression String, content_sha256 String,
  content_bytes Int64, head_sha256 String, ends_with_newline UInt8, total_lines Int64, extends_file_id Nullable(Int64),
  first_line Int64, lines_read Int64, loaded Int64, duplicates Int64, rejected Int64, mapping String, ingested_at_us Int64,
  source String, lacks Array(String), gap_records Int64, first_gap_line Nullable(Int64), first_gap_reason Nullable(String)
) ENGINE = MergeTree ORDER BY file_id;

-- Entries a later reading replaced (a corrected --format or --map of a file that rejected every
-- line): their rows stay stored but are no longer committed.
CREATE TABLE IF NOT EXISTS {{db}}.{{retracted_local}} (file_id Int64) ENGINE = MergeTree ORDER BY file_id;
