-- The fields of a CSV file's first line, its header (NULL: not a CSV row; no row: an empty file).
SELECT ra_csv_fields(regexp_replace(line, '\r$', '')) AS fields FROM staged_lines WHERE line_no = 1;
