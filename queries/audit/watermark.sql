-- The highest file id the database holds: a nightly run records it as its watermark, and
-- the next nightly run audits by arrival every session with a record in a later file.
SELECT max(file_id) AS watermark_file_id FROM ingested_files;
