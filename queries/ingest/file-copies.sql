-- Later copies of a record within the file being ingested, each with the line and part of its
-- first copy (rec, records.sql: line_no * 65536 + part, orders them as the file does). Identity is every schema field (file and line excluded), NULLs comparing equal (as
-- PARTITION BY and IS NOT DISTINCT FROM treat them). A hash aggregate finds the few hashes
-- that repeat; only their records are compared field by field, so a hash collision costs a
-- comparison, never a false duplicate, and a file without repeats never sorts or partitions.
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
  SELECT rec, line_no, part,
    min(rec) OVER (
      PARTITION BY ts, session_id, dc_id, dc_ip, outcome, tier, attempt, latency_ms, account_id,
                   meeting_id, user_id, client_ip, client_country, traffic) AS first_rec
  FROM staged_records
  WHERE rec IN (SELECT rec FROM repeated)
)
SELECT rec, line_no, part, first_rec // 65536 AS first_line_no, (first_rec % 65536)::INTEGER AS first_part
FROM grouped WHERE rec <> first_rec;
