-- The committed files of this moment, in the run's session: registered and not retracted.
-- Every read of stored rows keeps to these (file_id GLOBAL IN committed_files), so the rows of a
-- file whose ingest was killed before its registry entry was written stay invisible.
DROP TEMPORARY TABLE IF EXISTS committed_files;
CREATE TEMPORARY TABLE committed_files (file_id Int64) ENGINE = Memory;
INSERT INTO committed_files
SELECT file_id FROM {{db}}.{{files}} WHERE file_id GLOBAL NOT IN (SELECT file_id FROM {{db}}.{{retracted}});
