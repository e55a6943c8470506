-- How many well-formed records lack each required field: when every record of a
-- file lacks one, the field names differ (a --map is missing), and the file is
-- refused rather than rejected line by line and registered as done. present_*:
-- valid records with a value for each optional field, so that a --map source no
-- record has (a typo) is reported instead of loading the field empty unsaid. lo and hi: the
-- time range of the valid records, for the duplicate check against stored ones (batch-range.sql).
SELECT
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
  max(ts) FILTER (WHERE reason IS NULL) AS hi
FROM staged_records;
