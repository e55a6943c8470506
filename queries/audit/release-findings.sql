-- The findings and incidents tables, dropped once they are read (src/detect/audit.ts),
-- after release-sessions.sql.
DROP TABLE IF EXISTS temp.audit_findings;
DROP TABLE IF EXISTS temp.audit_incident_members;
DROP TABLE IF EXISTS temp.audit_incidents;
