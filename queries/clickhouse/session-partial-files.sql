-- Which sessions have records in files of partial sources (queries/audit/session-lacks.sql):
-- the scan keeps to those files; the local side adds what each file lacks.
SELECT DISTINCT session_id, file_id FROM {{db}}.{{connections}}
WHERE file_id GLOBAL IN (SELECT file_id FROM partial_files)
