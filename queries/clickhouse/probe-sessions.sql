-- The sessions of the file being ingested (filled by an insert of mirror/batch-sessions.sql's rows).
DROP TEMPORARY TABLE IF EXISTS probe_sessions;
CREATE TEMPORARY TABLE probe_sessions (session_id String) ENGINE = Memory;
