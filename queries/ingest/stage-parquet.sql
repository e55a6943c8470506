-- Each Parquet row as a JSON object line, so one parser (records.sql) and one
-- mapping serve every format. Row numbers follow the file's row order
-- (insertion order is preserved); the caller checks the count against the file's metadata.
CREATE OR REPLACE TEMP TABLE staged_lines AS
SELECT line_no, 0 AS part, NULL::VARCHAR AS shown, line, false AS bad_utf8, strlen(line) AS raw_bytes, NULL::VARCHAR AS line_sha256, NULL::VARCHAR AS source_problem, 0 AS file_pos
FROM (SELECT row_number() OVER () AS line_no, to_json(p)::VARCHAR AS line FROM read_parquet($path) p);
