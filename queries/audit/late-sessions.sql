-- The late sessions of a nightly run (session-facts.sql), each with the files ingested
-- after the watermark that hold its records: the report names them.
SELECT s.session_id, s.session_start, list(DISTINCT f.path ORDER BY f.path) AS files
FROM audit_session_facts s
JOIN connections c USING (session_id)
JOIN ingested_files f ON f.file_id = c.file_id
WHERE s.late AND c.file_id > $late_after_file_id::BIGINT
GROUP BY s.session_id, s.session_start
ORDER BY s.session_start, s.session_id;
