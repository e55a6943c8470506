-- No stored record lies in the files' time range (batch-range.sql): nothing to match.
CREATE OR REPLACE TEMP TABLE staged_stored_matches (file_pos INTEGER, rec BIGINT, line_no BIGINT, part INTEGER, original_file_id BIGINT, original_line_no BIGINT, original_part INTEGER);
