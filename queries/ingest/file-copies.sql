-- Later copies of a record within the file being ingested, each with the line of its first
-- copy. Identity is every schema field (file and line excluded), NULLs comparing equal (as
-- PARTITION BY and IS NOT DISTINCT FROM treat them). A hash aggregate finds the few hashes
-- that repeat; only their records are compared field by field, so a hash collision costs a
-- comparison, never a false duplicate, and a file without repeats never sorts or partitions.
CREATE OR REPLACE TEMP TABLE staged_copies AS
WITH hashed AS (
  SELECT line_no, hash(ts, session_id, dc_id, outcome, tier, attempt, latency_ms, account_id,
                       meeting_id, user_id, client_ip, client_country, traffic) AS h
  FROM staged_records
  WHERE reason IS NULL
),
repeated AS (
  SELECT line_no FROM hashed
  WHERE h IN (SELECT h FROM hashed GROUP BY h HAVING count(*) > 1)
),
grouped AS (
  SELECT line_no,
    min(line_no) OVER (
      PARTITION BY ts, session_id, dc_id, outcome, tier, attempt, latency_ms, account_id,
                   meeting_id, user_id, client_ip, client_country, traffic) AS first_line_no
  FROM staged_records
  WHERE line_no IN (SELECT line_no FROM repeated)
)
SELECT line_no, first_line_no FROM grouped WHERE line_no <> first_line_no;
