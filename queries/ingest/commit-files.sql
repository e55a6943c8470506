-- Stores the rejects, duplicates and records of the files being committed, from staged_records,
-- staged_copies and staged_stored_matches. $file_ids[file_pos + 1] is the id of the file at
-- file_pos (NULL: a file of the batch not committed: already ingested or refused). Runs inside
-- the transaction of the files' registry entries. Records go in in file and line order.

INSERT INTO rejects BY NAME
SELECT $file_ids[file_pos + 1]::BIGINT AS file_id, line_no, part, reason, raw, raw_bytes, raw_sha256
FROM staged_records
WHERE reason IS NOT NULL AND $file_ids[file_pos + 1] IS NOT NULL;

-- A copy of a record that an earlier file of the batch holds as a duplicate of a stored record
-- is a duplicate of that stored record, as it would be were the earlier file committed first.
INSERT INTO duplicates BY NAME
SELECT $file_ids[c.file_pos + 1]::BIGINT AS file_id, c.line_no, c.part,
  coalesce(m.original_file_id, $file_ids[c.original_pos + 1]::BIGINT) AS original_file_id,
  coalesce(m.original_line_no, (c.original_rec % 140737488355328) // 65536) AS original_line_no,
  coalesce(m.original_part, (c.original_rec % 65536)::INTEGER) AS original_part
FROM staged_copies c
LEFT JOIN staged_stored_matches m ON c.original_pos <> c.file_pos AND m.rec = c.original_rec
WHERE $file_ids[c.file_pos + 1] IS NOT NULL
UNION ALL
SELECT $file_ids[file_pos + 1]::BIGINT, line_no, part, original_file_id, original_line_no, original_part
FROM staged_stored_matches
WHERE $file_ids[file_pos + 1] IS NOT NULL;

INSERT INTO connections BY NAME
SELECT ts, session_id, dc_id, dc_ip, outcome, tier, attempt, latency_ms, account_id,
       meeting_id, user_id, client_ip, client_country, traffic, $file_ids[file_pos + 1]::BIGINT AS file_id, line_no, part
FROM staged_records r
WHERE reason IS NULL AND $file_ids[file_pos + 1] IS NOT NULL
  AND rec NOT IN (SELECT rec FROM staged_copies UNION ALL SELECT rec FROM staged_stored_matches);
