SELECT incident_id, rule, client_region, dc_region, severity, first_seen, last_seen, session_count
FROM audit_run_incidents
WHERE run_id = $run_id
ORDER BY first_seen, incident_id;
