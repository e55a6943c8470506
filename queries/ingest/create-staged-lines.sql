-- raw_bytes is the line's length in the file: its text differs when invalid UTF-8 was decoded leniently.
CREATE OR REPLACE TEMP TABLE staged_lines (line_no BIGINT, line VARCHAR, bad_utf8 BOOLEAN, raw_bytes BIGINT);
