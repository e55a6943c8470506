-- The file id of the file being committed (ingested_files.file_id).
SELECT nextval('ingested_file_ids') AS file_id;
