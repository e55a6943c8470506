-- Session findings with what every report shows: the session's account, meeting,
-- user and region, the traffic seen with the offending datacenter, the evidence line,
-- and the suppression that covers it. A suppression matches the rule plus every
-- matcher it gives (account, datacenter that made the finding, client region), and
-- applies while its `until` is after the session start; the lowest index wins.
CREATE OR REPLACE TEMP TABLE audit_findings AS
WITH matched AS (
  SELECT f.*, s.session_start, s.account_id, s.meeting_id, s.user_id, s.client_country, s.country_source, s.client_region,
    (SELECT min(p.suppression_index) FROM policy_suppressions p
      WHERE p.rule = f.rule AND p.until > s.session_start
        AND (p.account_id IS NULL OR p.account_id = s.account_id)
        AND (p.dc_id IS NULL OR p.dc_id = f.dc_id)
        AND (p.client_region IS NULL OR p.client_region = s.client_region)) AS suppression_index
  FROM audit_raw_findings f
  JOIN audit_sessions s USING (session_id)
),
traffic AS (
  SELECT m.session_id, m.rule,
    coalesce(list(DISTINCT a.traffic ORDER BY a.traffic) FILTER (WHERE a.traffic IS NOT NULL), []) AS traffic
  FROM matched m
  JOIN audit_attempts a ON a.session_id = m.session_id AND a.dc_id = m.dc_id
  GROUP BY m.session_id, m.rule
)
SELECT m.*,
  CASE WHEN m.suppression_index IS NULL THEN 'active' ELSE 'suppressed' END AS status,
  t.traffic,
  e.ts AS evidence_ts, e.logged_dc_id AS evidence_logged_dc_id, e.dc_ip AS evidence_dc_ip, e.placed_by AS evidence_placed_by,
  e.dc_country AS evidence_dc_country,
  e.outcome AS evidence_outcome, e.eff_tier AS evidence_tier,
  e.traffic AS evidence_traffic, fi.path AS evidence_file
FROM matched m
JOIN traffic t USING (session_id, rule)
JOIN audit_attempts e ON e.file_id = m.evidence_file_id AND e.line_no = m.evidence_line_no AND e.part = m.evidence_part
JOIN ingested_files fi ON fi.file_id = m.evidence_file_id;
