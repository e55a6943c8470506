-- Incidents: active session findings of one rule, grouped by (rule, client region,
-- region of the datacenter that made them findings), in session start order; a new
-- incident begins when the gap since the previous session's start exceeds
-- $incident_gap_ms. Rules in $summarised_rules (country-mismatch) are summarised per
-- pair of countries instead (country-mismatches.sql), never grouped into incidents. The id fingerprints rule, group and first session start, so the
-- same incident gets the same id in the next run.
CREATE OR REPLACE TEMP TABLE audit_incident_members AS
WITH ordered AS (
  SELECT *,
    lag(session_start) OVER grp AS previous_start
  FROM audit_findings
  WHERE status = 'active' AND NOT list_contains($summarised_rules, rule)
  WINDOW grp AS (PARTITION BY rule, client_region, dc_region ORDER BY session_start, session_id)
),
numbered AS (
  SELECT *,
    sum(CASE WHEN previous_start IS NULL
              OR epoch_us(session_start) - epoch_us(previous_start) > $incident_gap_ms::BIGINT * 1000
             THEN 1 ELSE 0 END)
      OVER (PARTITION BY rule, client_region, dc_region ORDER BY session_start, session_id ROWS UNBOUNDED PRECEDING)
      AS incident_seq
  FROM ordered
)
SELECT *,
  'I-' || left(sha256(rule || '|' || client_region || '|' || dc_region || '|' ||
    epoch_us(min(session_start) OVER (PARTITION BY rule, client_region, dc_region, incident_seq))::VARCHAR), 12)
    AS incident_id
FROM numbered;

CREATE OR REPLACE TEMP TABLE audit_incidents AS
-- Per datacenter: how its evidence lines were placed (id, name, network, geo), and for a
-- destination outside the catalog the country the geo database gives its address (the
-- catalog's own country is the policy's, src/detect/audit.ts).
WITH dcs AS (
  SELECT incident_id, dc_id, count(*) AS sessions,
    coalesce(list(DISTINCT evidence_placed_by ORDER BY evidence_placed_by) FILTER (WHERE evidence_placed_by IS NOT NULL), []) AS placed_by,
    min(evidence_dc_country) AS country
  FROM audit_incident_members GROUP BY incident_id, dc_id
)
SELECT m.incident_id, any_value(m.rule) AS rule, any_value(m.client_region) AS client_region,
  any_value(m.dc_region) AS dc_region,
  CASE max(CASE m.severity WHEN 'low' THEN 0 WHEN 'medium' THEN 1 WHEN 'high' THEN 2 ELSE 3 END)
    WHEN 0 THEN 'low' WHEN 1 THEN 'medium' WHEN 2 THEN 'high' ELSE 'critical' END AS severity,
  min(m.session_start) AS first_seen,
  max(m.session_start) AS last_seen,
  count(*) AS session_count,
  list(m.session_id ORDER BY m.session_id) AS session_ids,
  coalesce(list(DISTINCT m.account_id ORDER BY m.account_id) FILTER (WHERE m.account_id IS NOT NULL), []) AS accounts,
  count(DISTINCT m.meeting_id) AS meetings,
  count(DISTINCT m.user_id) AS users,
  coalesce(list(DISTINCT m.client_country ORDER BY m.client_country) FILTER (WHERE m.client_country IS NOT NULL), []) AS client_countries,
  list_sort(list_distinct(flatten(list(m.traffic)))) AS traffic,
  count(*) FILTER (WHERE list_contains(m.traffic, 'key_exchange')) AS key_exchange_sessions,
  (SELECT list({'id': d.dc_id, 'sessions': d.sessions, 'placed_by': d.placed_by, 'country': d.country} ORDER BY d.sessions DESC, d.dc_id)
     FROM dcs d WHERE d.incident_id = m.incident_id) AS datacenters
FROM audit_incident_members m
GROUP BY m.incident_id;
