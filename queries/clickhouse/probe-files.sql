-- File ids the run asks about (filled by an insert of queries/mirror/probe-files.sql's rows).
DROP TEMPORARY TABLE IF EXISTS probe_files;
CREATE TEMPORARY TABLE probe_files (file_id Int64) ENGINE = Memory;
