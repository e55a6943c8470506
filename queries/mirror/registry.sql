-- The cluster's committed registry (queries/clickhouse/registry.sql, a JSONEachRow file) into
-- the local ingested_files, so that every registry lookup of the ingester (stat cache, content
-- hash, growth) and the audit's totals read what the cluster holds.
INSERT INTO ingested_files BY NAME
SELECT file_id, path, absolute_path, format, compression, content_sha256, content_bytes, head_sha256,
  ends_with_newline::BOOLEAN AS ends_with_newline, total_lines, extends_file_id, first_line, lines_read, loaded,
  duplicates, rejected, mapping, make_timestamp(ingested_at_us)::TIMESTAMPTZ AS ingested_at, source, lacks,
  gap_records, first_gap_line, first_gap_reason
FROM read_json($path, format = 'newline_delimited', columns = {
  file_id: 'BIGINT', path: 'VARCHAR', absolute_path: 'VARCHAR', format: 'VARCHAR', compression: 'VARCHAR',
  content_sha256: 'VARCHAR', content_bytes: 'BIGINT', head_sha256: 'VARCHAR', ends_with_newline: 'INTEGER',
  total_lines: 'BIGINT', extends_file_id: 'BIGINT', first_line: 'BIGINT', lines_read: 'BIGINT', loaded: 'BIGINT',
  duplicates: 'BIGINT', rejected: 'BIGINT', mapping: 'VARCHAR', ingested_at_us: 'BIGINT', source: 'VARCHAR',
  lacks: 'VARCHAR[]', gap_records: 'BIGINT', first_gap_line: 'BIGINT', first_gap_reason: 'VARCHAR'});
