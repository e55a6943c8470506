-- How many well-formed records lack each required field: when every record of a
-- file lacks one, the field names differ (a --map is missing), and the file is
-- refused rather than rejected line by line and registered as done.
SELECT
  count(*) FILTER (WHERE problem IS NULL) AS records,
  count(*) FILTER (WHERE problem IS NULL AND v[1] IS NULL) AS missing_ts,
  count(*) FILTER (WHERE problem IS NULL AND v[2] IS NULL) AS missing_session_id,
  count(*) FILTER (WHERE problem IS NULL AND v[3] IS NULL) AS missing_dc_id,
  count(*) FILTER (WHERE problem IS NULL AND v[4] IS NULL) AS missing_outcome
FROM staged_fields;
