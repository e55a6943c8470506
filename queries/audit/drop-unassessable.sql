-- A session rule that needs what a source cannot show (its header's `needs:`, e.g.
-- attempt-sequence) judges no session of such a source: its rows for them are dropped before
-- they are filed. not-assessable.sql counts those sessions for the reports.
DELETE FROM audit_rule_rows
WHERE session_id IN (SELECT session_id FROM audit_sessions WHERE list_has_any(lacks, $needs));
