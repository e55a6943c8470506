-- The committed files of the audit: the run's own copy of the registry (filled by an insert of
-- queries/mirror/committed-ids.sql's rows), so that the facts, the attempts and the local
-- registry that findings.sql joins agree even if another machine commits a file meanwhile.
DROP TEMPORARY TABLE IF EXISTS committed_files;
CREATE TEMPORARY TABLE committed_files (file_id Int64) ENGINE = Memory;
