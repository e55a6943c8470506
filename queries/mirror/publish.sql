-- One committed file's rows, as the cluster's tables take them (queries/clickhouse/schema-local.sql):
-- mirror_connections, mirror_duplicates, mirror_rejects, mirror_entry, each written to a
-- JSONEachRow file and inserted in that order, the registry entry last.
CREATE OR REPLACE TEMP TABLE mirror_connections AS
SELECT epoch_us(ts) AS ts_us, session_id, dc_id, dc_ip, outcome, tier, attempt, latency_ms, account_id, meeting_id,
  user_id, client_ip, client_country, traffic, file_id, line_no, part
FROM connections WHERE file_id = $file_id ORDER BY line_no, part;

CREATE OR REPLACE TEMP TABLE mirror_duplicates AS
SELECT file_id, line_no, part, original_file_id, original_line_no, original_part FROM duplicates WHERE file_id = $file_id;

CREATE OR REPLACE TEMP TABLE mirror_rejects AS
SELECT file_id, line_no, part, reason, raw, raw_bytes, raw_sha256 FROM rejects WHERE file_id = $file_id;

CREATE OR REPLACE TEMP TABLE mirror_entry AS
SELECT file_id, path, absolute_path, format, compression, content_sha256, content_bytes, head_sha256,
  ends_with_newline::INTEGER AS ends_with_newline, total_lines, extends_file_id, first_line, lines_read, loaded,
  duplicates, rejected, mapping, epoch_us(ingested_at) AS ingested_at_us, coalesce(source, 'routeaudit') AS source,
  coalesce(lacks, []::VARCHAR[]) AS lacks, coalesce(gap_records, 0) AS gap_records, first_gap_line, first_gap_reason
FROM ingested_files WHERE file_id = $file_id;
