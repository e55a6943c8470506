-- How many well-formed records lack each required field: when every record of a
-- file lacks one, the field names differ (a --map is missing), and the file is
-- refused rather than rejected line by line and registered as done. present_*:
-- valid records with a value for each optional field, so that a --map source no
-- record has (a typo) is reported instead of loading the field empty unsaid. lo and hi: the
-- time range of the valid records, for the duplicate check against stored ones (batch-range.sql).
-- batch_lo and batch_hi: the range of all the batch's files. One row per file of the batch (file_pos 0 to $files - 1), also for a file with no records.
SELECT
  f.file_pos,
  count(missing_required) AS records,
  count(*) FILTER (WHERE missing_required & 1 <> 0) AS missing_ts,
  count(*) FILTER (WHERE missing_required & 2 <> 0) AS missing_session_id,
  count(*) FILTER (WHERE missing_required & 4 <> 0) AS missing_dc_id,
  count(*) FILTER (WHERE missing_required & 8 <> 0) AS missing_outcome,
  count(dc_ip) AS present_dc_ip,
  count(tier) AS present_tier,
  count(attempt) AS present_attempt,
  count(latency_ms) AS present_latency_ms,
  count(account_id) AS present_account_id,
  count(meeting_id) AS present_meeting_id,
  count(user_id) AS present_user_id,
  count(client_ip) AS present_client_ip,
  count(client_country) AS present_client_country,
  count(traffic) AS present_traffic,
  min(ts) FILTER (WHERE reason IS NULL) AS lo,
  max(ts) FILTER (WHERE reason IS NULL) AS hi,
  min(min(ts) FILTER (WHERE reason IS NULL)) OVER () AS batch_lo,
  max(max(ts) FILTER (WHERE reason IS NULL)) OVER () AS batch_hi
FROM range($files) AS f(file_pos)
LEFT JOIN staged_records r ON r.file_pos = f.file_pos
GROUP BY f.file_pos
ORDER BY f.file_pos;
