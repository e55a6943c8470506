-- No stored record lies in the file's time range (batch-range.sql): nothing to match.
CREATE OR REPLACE TEMP TABLE staged_stored_matches (rec BIGINT, line_no BIGINT, part INTEGER, original_file_id BIGINT, original_line_no BIGINT, original_part INTEGER);
