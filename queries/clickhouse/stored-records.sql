-- Committed records of the probed sessions inside the file's time range [$lo_us, $hi_us]: the
-- only stored rows an identical record can be (stored-matches.sql compares every field).
SELECT * FROM {{db}}.{{connections}}
WHERE ts_us BETWEEN $lo_us AND $hi_us
  AND session_id GLOBAL IN (SELECT session_id FROM probe_sessions)
  AND file_id GLOBAL IN (SELECT file_id FROM committed_files)
