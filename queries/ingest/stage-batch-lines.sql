-- Every line of a batch of small text logs (src/ingest/batch.ts), as stage-lines.sql stages one
-- file's: file_pos is the file's place in $paths, from 0 (DuckDB names each line's file as given), and lines are numbered from 1 within
-- each file. DuckDB reads the files in list order and each file's lines in order (insertion order
-- is preserved); n keeps that order, so numbering within a file holds even if files interleaved.
-- The caller checks each file's line count and byte total against the file's own.
CREATE OR REPLACE TEMP TABLE staged_lines AS
WITH read AS (
  SELECT row_number() OVER () AS n, filename, line
  FROM read_csv($paths,
    columns = {'line': 'VARCHAR'}, header = false, delim = E'\x1f\x1e', quote = '', escape = '',
    auto_detect = false, strict_mode = false, compression = $compression, filename = true)
),
-- A join, not list_position per line: that would compare each line's file name with every path.
places AS (
  SELECT unnest($paths) AS filename, (generate_subscripts($paths, 1) - 1)::INTEGER AS file_pos
)
SELECT row_number() OVER (PARTITION BY file_pos ORDER BY n) AS line_no, 0 AS part, NULL::VARCHAR AS shown, line, false AS bad_utf8,
  strlen(coalesce(line, '')) AS raw_bytes, NULL::VARCHAR AS line_sha256, NULL::VARCHAR AS source_problem, file_pos
FROM read JOIN places USING (filename)
ORDER BY file_pos, line_no;
