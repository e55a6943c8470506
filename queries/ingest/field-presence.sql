-- How many well-formed records lack each required field: when every record of a
-- file lacks one, the field names differ (a --map is missing), and the file is
-- refused rather than rejected line by line and registered as done.
SELECT
  count(missing_required) AS records,
  count(*) FILTER (WHERE missing_required & 1 <> 0) AS missing_ts,
  count(*) FILTER (WHERE missing_required & 2 <> 0) AS missing_session_id,
  count(*) FILTER (WHERE missing_required & 4 <> 0) AS missing_dc_id,
  count(*) FILTER (WHERE missing_required & 8 <> 0) AS missing_outcome
FROM staged_records;
