-- Stores one file's rejects, duplicates and records under $file_id, from staged_records,
-- staged_copies and staged_stored_matches. Runs inside the file's transaction, together with
-- its registry entry. Records go in in line order.

INSERT INTO rejects BY NAME
SELECT $file_id AS file_id, line_no, part, reason, raw, raw_bytes, raw_sha256
FROM staged_records
WHERE reason IS NOT NULL;

INSERT INTO duplicates BY NAME
SELECT $file_id AS file_id, line_no, part, $file_id AS original_file_id, first_line_no AS original_line_no,
       first_part AS original_part
FROM staged_copies
UNION ALL
SELECT $file_id, line_no, part, original_file_id, original_line_no, original_part FROM staged_stored_matches;

INSERT INTO connections BY NAME
SELECT ts, session_id, dc_id, dc_ip, outcome, tier, attempt, latency_ms, account_id,
       meeting_id, user_id, client_ip, client_country, traffic, $file_id AS file_id, line_no, part
FROM staged_records
WHERE reason IS NULL
  AND rec NOT IN (SELECT rec FROM staged_copies UNION ALL SELECT rec FROM staged_stored_matches);
