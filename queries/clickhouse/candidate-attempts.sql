-- Every attempt of the candidate sessions from $scan_start_us on (queries/audit/attempts.sql's
-- bound), for the local detections.
SELECT * FROM {{db}}.{{connections}}
WHERE file_id GLOBAL IN (SELECT file_id FROM committed_files)
  AND ifNull(ts_us >= $scan_start_us, 1)
  AND session_id GLOBAL IN (SELECT session_id FROM candidate_sessions)
