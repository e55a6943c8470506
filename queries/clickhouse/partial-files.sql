-- The committed files of sources that lack something (ingested_files.lacks; filled by an insert
-- of queries/mirror/partial-files.sql's rows).
DROP TEMPORARY TABLE IF EXISTS partial_files;
CREATE TEMPORARY TABLE partial_files (file_id Int64) ENGINE = Memory;
