-- The file ids of the $count files being committed (ingested_files.file_id); the caller sorts them.
SELECT nextval('ingested_file_ids') AS file_id FROM range($count);
