-- The incident ledger of one policy file (schema.sql), oldest first; ledger.ts decides
-- each current incident's status from it.
SELECT incident_id, rule, client_region, dc_region, severity, first_seen, last_seen, session_count,
  cause_finding_ids, first_reported_at, first_reported_run, last_reported_at, last_reported_run, status, resolution, resolved_run, reopened_run
FROM incident_ledger
WHERE policy_path = $policy_path
ORDER BY first_seen, incident_id;
