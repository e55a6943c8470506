-- Stores one file's rejects, duplicates and records under $file_id, from staged_records,
-- staged_copies and staged_stored_matches. Runs inside the file's transaction, together with
-- its registry entry. Records go in in line order.

INSERT INTO rejects
SELECT $file_id, line_no, reason, raw, raw_bytes, raw_sha256
FROM staged_records
WHERE reason IS NOT NULL;

INSERT INTO duplicates
SELECT $file_id, line_no, $file_id, first_line_no FROM staged_copies
UNION ALL
SELECT $file_id, line_no, original_file_id, original_line_no FROM staged_stored_matches;

INSERT INTO connections
SELECT ts, session_id, dc_id, outcome, tier, attempt, latency_ms, account_id,
       meeting_id, user_id, client_ip, client_country, traffic, $file_id, line_no
FROM staged_records
WHERE reason IS NULL
  AND line_no NOT IN (SELECT line_no FROM staged_copies UNION ALL SELECT line_no FROM staged_stored_matches);
