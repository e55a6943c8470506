-- Records of the files being ingested equal to one stored by an earlier file, with the stored original (the
-- first in storage order, should several be equal).
-- Only first copies (staged_copies holds the later ones), and only stored rows inside the
-- files' time range [$lo, $hi] (batch-range.sql), which keeps the join proportional to the
-- batch rather than the history.
CREATE OR REPLACE TEMP TABLE staged_stored_matches AS
WITH stored AS (
  SELECT * FROM connections WHERE ts BETWEEN $lo::TIMESTAMPTZ AND $hi::TIMESTAMPTZ
)
SELECT b.file_pos, b.rec, b.line_no, b.part,
  arg_min(s.file_id, [s.file_id, s.line_no, s.part]) AS original_file_id,
  arg_min(s.line_no, [s.file_id, s.line_no, s.part]) AS original_line_no,
  arg_min(s.part, [s.file_id, s.line_no, s.part]) AS original_part
FROM staged_records b
JOIN stored s
  ON b.ts = s.ts AND b.session_id = s.session_id AND b.dc_id = s.dc_id AND b.outcome = s.outcome
 AND b.dc_ip IS NOT DISTINCT FROM s.dc_ip
 AND b.tier IS NOT DISTINCT FROM s.tier AND b.attempt IS NOT DISTINCT FROM s.attempt
 AND b.latency_ms IS NOT DISTINCT FROM s.latency_ms AND b.account_id IS NOT DISTINCT FROM s.account_id
 AND b.meeting_id IS NOT DISTINCT FROM s.meeting_id AND b.user_id IS NOT DISTINCT FROM s.user_id
 AND b.client_ip IS NOT DISTINCT FROM s.client_ip AND b.client_country IS NOT DISTINCT FROM s.client_country
 AND b.traffic IS NOT DISTINCT FROM s.traffic
WHERE b.reason IS NULL AND b.rec NOT IN (SELECT rec FROM staged_copies)
GROUP BY b.file_pos, b.rec, b.line_no, b.part;
