-- Everything the database holds, so a reader knows what the verdict covers.
SELECT count(*) AS files,
  coalesce(sum(lines_read), 0) AS lines_read, coalesce(sum(loaded), 0) AS loaded,
  coalesce(sum(duplicates), 0) AS duplicates, coalesce(sum(rejected), 0) AS rejected
FROM ingested_files;
