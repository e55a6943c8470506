-- Later copies of a record within the files being ingested (one file, or a batch of small ones:
-- stage-batch-lines.sql), each with the record it copies, so that the result is what committing
-- the files one by one, in order, would give:
--   a later copy within its own file copies that file's first copy;
--   a file's first copy of a record an earlier file of the batch holds copies the batch's first
--   copy (commit-files.sql gives it that copy's stored original when the first copy is itself a
--   duplicate of a stored record).
-- rec (records.sql: file_pos * 2^47 + line_no * 65536 + part) orders the batch's records as its
-- files do; original_rec is the copied record, original_pos its file. Identity is every schema
-- field (file and line excluded), NULLs comparing equal (as PARTITION BY and IS NOT DISTINCT FROM
-- treat them). A hash aggregate finds the few hashes that repeat; only their records are compared
-- field by field, so a hash collision costs a comparison, never a false duplicate, and files
-- without repeats never sort or partition.
CREATE OR REPLACE TEMP TABLE staged_copies AS
WITH hashed AS (
  SELECT rec, hash(ts, session_id, dc_id, dc_ip, outcome, tier, attempt, latency_ms, account_id,
                   meeting_id, user_id, client_ip, client_country, traffic) AS h
  FROM staged_records
  WHERE reason IS NULL
),
repeated AS (
  SELECT rec FROM hashed
  WHERE h IN (SELECT h FROM hashed GROUP BY h HAVING count(*) > 1)
),
grouped AS (
  SELECT file_pos, rec, line_no, part,
    min(rec) OVER (
      PARTITION BY file_pos, ts, session_id, dc_id, dc_ip, outcome, tier, attempt, latency_ms, account_id,
                   meeting_id, user_id, client_ip, client_country, traffic) AS first_in_file,
    min(rec) OVER (
      PARTITION BY ts, session_id, dc_id, dc_ip, outcome, tier, attempt, latency_ms, account_id,
                   meeting_id, user_id, client_ip, client_country, traffic) AS first_in_batch
  FROM staged_records
  WHERE rec IN (SELECT rec FROM repeated)
),
copies AS (
  SELECT file_pos, rec, line_no, part, CASE WHEN rec <> first_in_file THEN first_in_file ELSE first_in_batch END AS original_rec
  FROM grouped
  WHERE rec <> first_in_file OR first_in_batch < first_in_file
)
SELECT file_pos, rec, line_no, part, original_rec, (original_rec // 140737488355328)::INTEGER AS original_pos
FROM copies;
