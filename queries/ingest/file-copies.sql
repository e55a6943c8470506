-- Later copies of a record within the files being ingested (one file, or a batch of small ones:
-- stage-batch-lines.sql), each with the record it copies, so that the result is what committing
-- the files one by one, in order, would give:
--   a later copy within its own file copies that file's first copy;
--   a file's first copy of a record an earlier file of the batch holds copies the batch's first
--   copy (commit-files.sql gives it that copy's stored original when the first copy is itself a
--   duplicate of a stored record).
-- (original_pos, original_rec) names the copied record; rec (records.sql: line_no * 65536 + part)
-- orders a file's records as the file does. Identity is every schema field (file and line
-- excluded), NULLs comparing equal (as PARTITION BY and IS NOT DISTINCT FROM treat them). A hash
-- aggregate finds the few hashes that repeat; only their records are compared field by field, so a
-- hash collision costs a comparison, never a false duplicate, and files without repeats never sort
-- or partition.
CREATE OR REPLACE TEMP TABLE staged_copies AS
WITH hashed AS (
  SELECT file_pos, rec, hash(ts, session_id, dc_id, dc_ip, outcome, tier, attempt, latency_ms, account_id,
                             meeting_id, user_id, client_ip, client_country, traffic) AS h
  FROM staged_records
  WHERE reason IS NULL
),
repeated AS (
  SELECT file_pos, rec FROM hashed
  WHERE h IN (SELECT h FROM hashed GROUP BY h HAVING count(*) > 1)
),
grouped AS (
  SELECT s.file_pos, s.rec, s.line_no, s.part,
    min(s.rec) OVER (
      PARTITION BY s.file_pos, ts, session_id, dc_id, dc_ip, outcome, tier, attempt, latency_ms, account_id,
                   meeting_id, user_id, client_ip, client_country, traffic) AS first_in_file,
    min([s.file_pos, s.rec]) OVER (
      PARTITION BY ts, session_id, dc_id, dc_ip, outcome, tier, attempt, latency_ms, account_id,
                   meeting_id, user_id, client_ip, client_country, traffic) AS first_in_batch
  FROM staged_records s
  SEMI JOIN repeated r ON r.file_pos = s.file_pos AND r.rec = s.rec
)
SELECT file_pos, rec, line_no, part,
  CASE WHEN rec <> first_in_file THEN file_pos ELSE first_in_batch[1]::INTEGER END AS original_pos,
  CASE WHEN rec <> first_in_file THEN first_in_file ELSE first_in_batch[2] END AS original_rec
FROM grouped
WHERE rec <> first_in_file OR file_pos <> first_in_batch[1];
