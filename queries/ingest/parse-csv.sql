-- CSV with a header row -> one row per data line with the raw field values in
-- LOG_FIELDS order. $positions holds, per log field, its 1-based column in the
-- header (as text; NULL when the header lacks it). One record per line: a quoted
-- field cannot span lines, so an unterminated quote costs one line, not the file.
CREATE OR REPLACE TEMP TABLE staged_fields AS
WITH split AS (
  SELECT line_no, line, raw_bytes,
    CASE WHEN bad_utf8 OR line IS NULL OR regexp_full_match(line, '\s*') THEN NULL
         ELSE ra_csv_fields(regexp_replace(line, '\r$', '')) END AS fields,
    CASE
      WHEN bad_utf8 THEN 'not valid UTF-8'
      WHEN line IS NULL OR regexp_full_match(line, '\s*') THEN 'blank line'
    END AS blank
  FROM staged_lines
  WHERE line_no >= greatest($first_line, 2)
),
shaped AS (
  SELECT line_no, line, raw_bytes, fields,
    CASE
      WHEN blank IS NOT NULL THEN blank
      WHEN fields IS NULL THEN 'malformed CSV quoting (an unterminated or stray quote)'
      WHEN len(fields) <> $header_width
        THEN 'expected ' || $header_width || ' fields as in the header, found ' || len(fields)
    END AS problem
  FROM split
)
SELECT line_no, line AS raw, raw_bytes, problem,
  CASE WHEN problem IS NULL
    THEN list_transform($positions, p -> CASE WHEN p IS NULL THEN NULL ELSE nullif(fields[p::INTEGER], '') END)
  END AS v,
  NULL::VARCHAR[] AS t
FROM shaped;
