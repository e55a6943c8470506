-- Stores one file's validated records, duplicates and rejects under $file_id.
-- Runs inside the file's transaction, together with its registry entry.

INSERT INTO rejects
SELECT $file_id, line_no, reason,
  CASE WHEN length(raw) > 4096 THEN left(raw, 4096) ELSE raw END,
  raw_bytes,
  CASE WHEN length(raw) > 4096 THEN sha256(raw) END
FROM staged_records
WHERE reason IS NOT NULL;

-- Identity of a record is every schema field (file and line excluded); NULLs
-- compare equal here, as PARTITION BY and IS NOT DISTINCT FROM treat them.
CREATE OR REPLACE TEMP TABLE staged_batch AS
SELECT * EXCLUDE (raw, raw_bytes, reason),
  row_number() OVER record_copies AS copy_no,
  first_value(line_no) OVER record_copies AS first_line_no
FROM staged_records
WHERE reason IS NULL
WINDOW record_copies AS (
  PARTITION BY ts, session_id, dc_id, outcome, tier, attempt, latency_ms, account_id,
               meeting_id, user_id, client_ip, client_country, traffic
  ORDER BY line_no);

-- Records already stored by earlier files. Only stored rows inside this batch's
-- time range can match, which keeps the join proportional to the batch.
CREATE OR REPLACE TEMP TABLE staged_stored_matches AS
WITH bounds AS (SELECT min(ts) AS lo, max(ts) AS hi FROM staged_batch),
stored AS (
  SELECT c.* FROM connections c, bounds WHERE c.ts BETWEEN bounds.lo AND bounds.hi
)
SELECT b.line_no, min(s.file_id) AS original_file_id, min(s.line_no) AS original_line_no
FROM staged_batch b
JOIN stored s
  ON b.ts = s.ts AND b.session_id = s.session_id AND b.dc_id = s.dc_id AND b.outcome = s.outcome
 AND b.tier IS NOT DISTINCT FROM s.tier AND b.attempt IS NOT DISTINCT FROM s.attempt
 AND b.latency_ms IS NOT DISTINCT FROM s.latency_ms AND b.account_id IS NOT DISTINCT FROM s.account_id
 AND b.meeting_id IS NOT DISTINCT FROM s.meeting_id AND b.user_id IS NOT DISTINCT FROM s.user_id
 AND b.client_ip IS NOT DISTINCT FROM s.client_ip AND b.client_country IS NOT DISTINCT FROM s.client_country
 AND b.traffic IS NOT DISTINCT FROM s.traffic
WHERE b.copy_no = 1
GROUP BY b.line_no;

INSERT INTO duplicates
SELECT $file_id, line_no, $file_id, first_line_no FROM staged_batch WHERE copy_no > 1
UNION ALL
SELECT $file_id, line_no, original_file_id, original_line_no FROM staged_stored_matches;

INSERT INTO connections
SELECT b.ts, b.session_id, b.dc_id, b.outcome, b.tier, b.attempt, b.latency_ms, b.account_id,
       b.meeting_id, b.user_id, b.client_ip, b.client_country, b.traffic, $file_id, b.line_no
FROM staged_batch b
ANTI JOIN staged_stored_matches m ON m.line_no = b.line_no
WHERE b.copy_no = 1;
