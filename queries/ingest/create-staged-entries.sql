-- The registry entries of the files being committed, appended by the ingester (one row per
-- file, in file order) and stored by register-files.sql. lacks_json: the source's lacks as a
-- JSON array of strings; ingested_at: ISO-8601.
CREATE OR REPLACE TEMP TABLE staged_entries (
  file_id BIGINT, path VARCHAR, absolute_path VARCHAR, format VARCHAR, compression VARCHAR,
  content_sha256 VARCHAR, content_bytes BIGINT, head_sha256 VARCHAR, ends_with_newline BOOLEAN,
  total_lines BIGINT, extends_file_id BIGINT, first_line BIGINT,
  lines_read BIGINT, loaded BIGINT, duplicates BIGINT, rejected BIGINT,
  mapping VARCHAR, ingested_at VARCHAR, source VARCHAR, lacks_json VARCHAR,
  gap_records BIGINT, first_gap_line BIGINT, first_gap_reason VARCHAR
);
