-- What the file being committed contributes, from the staged tables that
-- commit-file.sql inserted (scanning the stored tables per file would grow with history).
SELECT
  (SELECT count(*) FROM staged_records) AS lines_read,
  (SELECT count(*) FROM staged_batch WHERE copy_no = 1) - (SELECT count(*) FROM staged_stored_matches) AS loaded,
  (SELECT count(*) FROM staged_batch WHERE copy_no > 1) + (SELECT count(*) FROM staged_stored_matches) AS duplicates,
  (SELECT count(*) FROM staged_records WHERE reason IS NOT NULL) AS rejected;
