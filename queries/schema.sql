-- The database layout. Idempotent: run on every open of a writable database.
-- Invariant: for every ingested_files row, lines_read = loaded + duplicates + rejected,
-- and those numbers equal the rows in connections / duplicates / rejects for that file_id.

CREATE SEQUENCE IF NOT EXISTS ingested_file_ids START 1;

CREATE TABLE IF NOT EXISTS ingested_files (
  file_id           BIGINT PRIMARY KEY,
  path              VARCHAR NOT NULL,     -- as the user named it (relative to the working directory when inside it)
  absolute_path     VARCHAR NOT NULL,     -- nominates growth candidates; identity is the content hash
  format            VARCHAR NOT NULL,     -- jsonl | csv | parquet
  compression       VARCHAR NOT NULL,     -- none | gzip | zstd
  content_sha256    VARCHAR NOT NULL,     -- of the decompressed bytes: the file's identity
  content_bytes     BIGINT NOT NULL,
  head_sha256       VARCHAR NOT NULL,     -- of the first 4096 decompressed bytes: finds grown files
  ends_with_newline BOOLEAN NOT NULL,
  total_lines       BIGINT NOT NULL,      -- lines (Parquet: rows) in the whole content
  extends_file_id   BIGINT,               -- a grown file: the entry whose content is its prefix
  first_line        BIGINT NOT NULL,      -- first line read for this entry (1, or the old total + 1)
  lines_read        BIGINT NOT NULL,
  loaded            BIGINT NOT NULL,
  duplicates        BIGINT NOT NULL,
  rejected          BIGINT NOT NULL,
  mapping           VARCHAR NOT NULL,     -- the column mapping used, as JSON
  ingested_at       TIMESTAMPTZ NOT NULL
);

-- Content hashes by file identity on disk (path, device, inode, size, mtime, ctime), like
-- git's index: re-ingesting an unchanged file needs no reading. Identity stays the content
-- hash; see src/ingest/stat-cache.ts.
CREATE TABLE IF NOT EXISTS file_stat_cache (
  absolute_path  VARCHAR PRIMARY KEY,
  stat_key       VARCHAR NOT NULL,        -- device:inode:size:mtime_ns:ctime_ns
  content_sha256 VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS connections (
  ts             TIMESTAMPTZ NOT NULL,
  session_id     VARCHAR NOT NULL,
  dc_id          VARCHAR NOT NULL,
  outcome        VARCHAR NOT NULL,
  tier           VARCHAR,
  attempt        INTEGER,
  latency_ms     INTEGER,
  account_id     VARCHAR,
  meeting_id     VARCHAR,
  user_id        VARCHAR,
  client_ip      VARCHAR,
  client_country VARCHAR,
  traffic        VARCHAR,
  file_id        BIGINT NOT NULL,
  line_no        BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS rejects (
  file_id    BIGINT NOT NULL,
  line_no    BIGINT NOT NULL,
  reason     VARCHAR NOT NULL,
  raw        VARCHAR,                     -- the line, or its first 4 KiB when longer
  raw_bytes  BIGINT NOT NULL,             -- the whole line's length in bytes
  raw_sha256 VARCHAR                      -- set when raw was cut: identifies the whole line
);

CREATE TABLE IF NOT EXISTS duplicates (
  file_id          BIGINT NOT NULL,
  line_no          BIGINT NOT NULL,
  original_file_id BIGINT NOT NULL,       -- where the identical record is stored
  original_line_no BIGINT NOT NULL
);

-- Added with real sources (docs/sources.md): databases written before get them here, and
-- every insert names its columns (INSERT BY NAME), so the order of columns never matters.
-- dc_ip: the datacenter's address as logged (flow logs have nothing else); part: the
-- attempt's place among those one source record gives (a Zoom participant's path: 0 is the
-- datacenter that served it, 1.. the other hops), 0 for a one-attempt line. (file_id,
-- line_no, part) identifies a stored attempt.
ALTER TABLE connections ADD COLUMN IF NOT EXISTS dc_ip VARCHAR;
ALTER TABLE connections ADD COLUMN IF NOT EXISTS part INTEGER DEFAULT 0;
ALTER TABLE rejects ADD COLUMN IF NOT EXISTS part INTEGER DEFAULT 0;
ALTER TABLE duplicates ADD COLUMN IF NOT EXISTS part INTEGER DEFAULT 0;
ALTER TABLE duplicates ADD COLUMN IF NOT EXISTS original_part INTEGER DEFAULT 0;
-- source: the reader that read the file (routeaudit for the native schema); lacks: what
-- that source cannot show (docs/sources.md, "What a source can show"), e.g. attempt-sequence;
-- NULL for entries written before, which were all native. (No DEFAULT []: DuckDB 1.5 cannot
-- replay a WAL whose table has a function as a default.)
ALTER TABLE ingested_files ADD COLUMN IF NOT EXISTS source VARCHAR DEFAULT 'routeaudit';
ALTER TABLE ingested_files ADD COLUMN IF NOT EXISTS lacks VARCHAR[];
-- Records by which the source itself says others are missing (a VPC SKIPDATA record: a reject
-- rule with gap: true), the first one's line and reason: each such file is an input problem of
-- the runs that read it (docs/nightly.md).
ALTER TABLE ingested_files ADD COLUMN IF NOT EXISTS gap_records BIGINT DEFAULT 0;
ALTER TABLE ingested_files ADD COLUMN IF NOT EXISTS first_gap_line BIGINT;
ALTER TABLE ingested_files ADD COLUMN IF NOT EXISTS first_gap_reason VARCHAR;

-- Audit history (docs/nightly.md): one row per run (a re-run of the same window and
-- policy replaces its row) and the incidents it reported.
CREATE TABLE IF NOT EXISTS audit_runs (
  run_id          VARCHAR PRIMARY KEY,
  policy_path     VARCHAR NOT NULL,       -- the policy's identity across edits
  policy_sha256   VARCHAR NOT NULL,
  since           TIMESTAMPTZ,
  until           TIMESTAMPTZ,
  generated_at    TIMESTAMPTZ NOT NULL,
  previous_run_id VARCHAR
);
-- Added after the first release: databases written before get them here.
ALTER TABLE audit_runs ADD COLUMN IF NOT EXISTS kind VARCHAR;              -- audit | nightly
ALTER TABLE audit_runs ADD COLUMN IF NOT EXISTS watermark_file_id BIGINT;  -- nightly: the last file_id it audited

-- The incident ledger: every incident ever reported under a policy file, with its
-- span as last reported and whether it is open. Statuses come from here, not from one
-- earlier run (src/detect/ledger.ts, docs/nightly.md).
CREATE TABLE IF NOT EXISTS incident_ledger (
  policy_path        VARCHAR NOT NULL,
  incident_id        VARCHAR NOT NULL,
  rule               VARCHAR NOT NULL,
  client_region      VARCHAR NOT NULL,
  dc_region          VARCHAR NOT NULL,
  severity           VARCHAR NOT NULL,
  first_seen         TIMESTAMPTZ NOT NULL,  -- the earliest session start any run reported
  last_seen          TIMESTAMPTZ NOT NULL,  -- the latest
  session_count      BIGINT NOT NULL,       -- as the latest run that found it counted
  cause_finding_ids  VARCHAR[] NOT NULL,
  first_reported_at  TIMESTAMPTZ NOT NULL,
  first_reported_run VARCHAR NOT NULL,
  last_reported_at   TIMESTAMPTZ NOT NULL,
  last_reported_run  VARCHAR NOT NULL,
  status             VARCHAR NOT NULL,      -- open | resolved
  resolution         VARCHAR,               -- cause-removed | quiet-period | no-longer-found, while resolved
  resolved_run       VARCHAR,
  reopened_run       VARCHAR,               -- the run that found it again after it was resolved
  PRIMARY KEY (policy_path, incident_id)
);

CREATE TABLE IF NOT EXISTS audit_run_incidents (
  run_id          VARCHAR NOT NULL,
  incident_id     VARCHAR NOT NULL,
  rule            VARCHAR NOT NULL,
  client_region   VARCHAR NOT NULL,
  dc_region       VARCHAR NOT NULL,
  severity        VARCHAR NOT NULL,
  first_seen      TIMESTAMPTZ NOT NULL,
  last_seen       TIMESTAMPTZ NOT NULL,
  session_count   BIGINT NOT NULL
);
