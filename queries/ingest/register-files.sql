-- The registry entries of the committed files (create-staged-entries.sql), in file order.
INSERT INTO ingested_files (
  file_id, path, absolute_path, format, compression, content_sha256, content_bytes, head_sha256,
  ends_with_newline, total_lines, extends_file_id, first_line,
  lines_read, loaded, duplicates, rejected, mapping, ingested_at, source, lacks, gap_records, first_gap_line, first_gap_reason
)
SELECT file_id, path, absolute_path, format, compression, content_sha256, content_bytes, head_sha256,
  ends_with_newline, total_lines, extends_file_id, first_line,
  lines_read, loaded, duplicates, rejected, mapping, ingested_at::TIMESTAMPTZ, source,
  from_json(lacks_json, '["VARCHAR"]'), gap_records, first_gap_line, first_gap_reason
FROM staged_entries
ORDER BY file_id;
