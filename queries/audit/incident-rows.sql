SELECT * FROM audit_incidents ORDER BY first_seen, incident_id;
