-- The time range of the file's records (see batch-range.sql).
SELECT min(ts) AS lo, max(ts) AS hi FROM staged_records WHERE reason IS NULL;
