-- Every line of a text log as one VARCHAR, numbered from 1. The two-byte delimiter
-- makes DuckDB's CSV reader a fast parallel line splitter; the caller checks the
-- line count and byte total against the file's own and falls back to an exact
-- (slower) reader when they differ, so no byte is lost unnoticed.
CREATE OR REPLACE TEMP TABLE staged_lines AS
SELECT row_number() OVER () AS line_no, 0 AS part, NULL::VARCHAR AS shown, line, false AS bad_utf8, strlen(coalesce(line, '')) AS raw_bytes, NULL::VARCHAR AS line_sha256, NULL::VARCHAR AS source_problem, 0 AS file_pos
FROM read_csv($path,
  columns = {'line': 'VARCHAR'}, header = false, delim = E'\x1f\x1e', quote = '', escape = '',
  auto_detect = false, strict_mode = false, compression = $compression);
