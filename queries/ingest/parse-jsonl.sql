-- JSON Lines -> one row per line with the raw field values in LOG_FIELDS order
-- ($paths: one JSON path per field), or a line-level problem (blank, not JSON, not
-- an object). Each line is parsed once (TRY turns a parse error into NULL); only a
-- line with a value that looks like an object or array is parsed again for the
-- JSON types, which validate.sql needs to refuse such values.
CREATE OR REPLACE TEMP TABLE staged_fields AS
WITH parsed AS (
  SELECT line_no, line, bad_utf8, raw_bytes,
    CASE WHEN NOT bad_utf8 AND NOT regexp_full_match(line, '\s*') THEN TRY(json_extract_string(line, $paths)) END AS v
  FROM staged_lines
  WHERE line_no >= $first_line
),
shaped AS (
  SELECT *,
    CASE
      WHEN bad_utf8 THEN 'not valid UTF-8'
      WHEN line IS NULL OR regexp_full_match(line, '\s*') THEN 'blank line'
      WHEN v IS NULL THEN 'not valid JSON'
      WHEN NOT starts_with(ltrim(line), '{') THEN 'not a JSON object'
    END AS problem
  FROM parsed
)
SELECT line_no, line AS raw, raw_bytes, problem,
  CASE WHEN problem IS NULL THEN v END AS v,
  CASE WHEN problem IS NULL AND list_bool_or(list_transform(v, x -> x[1] IN ('{', '[')))
    THEN json_type(line, $paths) END AS t
FROM shaped;
