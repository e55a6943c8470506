-- Session findings for the reports, in a stable order, with their incident and suppression.
SELECT f.rule, f.severity, f.status, m.incident_id, f.session_id, f.session_start, f.account_id,
  f.meeting_id, f.user_id, f.client_country, f.country_source, f.client_region, f.dc_id, f.dc_region, f.traffic,
  f.detail, f.evidence_file, f.evidence_line_no, f.evidence_ts, f.evidence_logged_dc_id, f.evidence_dc_ip, f.evidence_placed_by, f.evidence_outcome, f.evidence_tier,
  f.evidence_traffic, f.suppression_index, p.reason AS suppression_reason, p.until AS suppression_until
FROM audit_findings f
LEFT JOIN (SELECT session_id, rule, incident_id FROM audit_incident_members) m USING (session_id, rule)
LEFT JOIN policy_suppressions p ON p.suppression_index = f.suppression_index
ORDER BY f.session_start, f.rule, f.session_id;
