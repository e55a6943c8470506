-- JSON Lines -> one row per line with the raw field values in LOG_FIELDS order ($paths)
-- and their JSON types; a line-level problem (blank, not JSON, not an object) instead.
CREATE OR REPLACE TEMP TABLE staged_fields AS
WITH shaped AS (
  SELECT line_no, line, raw_bytes,
    CASE
      WHEN bad_utf8 THEN 'not valid UTF-8'
      WHEN line IS NULL OR trim(line) = '' THEN 'blank line'
      WHEN NOT json_valid(line) THEN 'not valid JSON'
      WHEN json_type(line) <> 'OBJECT' THEN 'not a JSON object'
    END AS problem
  FROM staged_lines
  WHERE line_no >= $first_line
)
SELECT line_no, line AS raw, raw_bytes, problem,
  CASE WHEN problem IS NULL THEN json_extract_string(line, $paths) END AS v,
  CASE WHEN problem IS NULL THEN json_type(line, $paths) END AS t
FROM shaped;
