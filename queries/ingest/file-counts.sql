-- What the file being committed contributes: its lines from the staging table, and the rows
-- commit-file.sql actually stored under $file_id (the stored tables are appended in file
-- order, so the file_id filter skips older row groups by their statistics).
SELECT
  (SELECT count(*) FROM staged_records) AS lines_read,
  (SELECT count(*) FROM connections WHERE file_id = $file_id) AS loaded,
  (SELECT count(*) FROM duplicates WHERE file_id = $file_id) AS duplicates,
  (SELECT count(*) FROM rejects WHERE file_id = $file_id) AS rejected;
