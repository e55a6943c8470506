-- Every attempt of the in-window sessions (a nightly run's late ones included; the lookback's
-- sessions keep their facts only, which is all the fallback baseline reads: client-sessions.sql)
-- with what the policy says about it. in_window is therefore true throughout; it stays, so that
-- a rule written `WHERE a.in_window` reads as it always did:
--   dc_id:     the catalog datacenter (audit_dc_placement); logged_dc_id and dc_ip as logged,
--              placed_by how it was placed (id, name, network, geo; NULL when nothing placed it);
--   dc_region: the catalog region, 'unmapped' for a catalog datacenter whose country no
--              region lists; for a destination not in the catalog, the region listing the geo
--              country of its dc_ip ('unmapped' when none does), else 'unknown';
--   dc_country: the catalog country, or the geo country of an uncatalogued destination;
--   eff_tier:  the logged tier, else the client region's routing list, else 'unlisted';
--   ord:       the attempt's place in time order (ts, file, line, part): ra_time_order, order-key.sql;
--              detections order a session's attempts by it.
--   fence_id:  a fence that forbids this datacenter to this client region (NULL if none).
--              Fail-closed: a fence admits only its client_regions, so a client no region
--              places (unknown or unmapped) is forbidden by every fence whose
--              unplaced_clients is `violation` (the default), and by none whose
--              unplaced_clients is `review` (unplaced-fenced-contact lists those contacts).
CREATE OR REPLACE TEMP TABLE audit_attempts AS
-- closed: per client region and datacenter region, the first fence that forbids the pair; a
-- handful of rows joined once, rather than a subquery evaluated per attempt.
WITH client_regions AS (
  SELECT DISTINCT region, false AS unplaced FROM policy_regions
  UNION ALL SELECT 'unknown', true
  UNION ALL SELECT 'unmapped', true
),
closed AS (
  SELECT r.region AS client_region, f.region AS dc_region, min(f.fence_id) AS fence_id
  FROM client_regions r, policy_fence_dc_regions f
  JOIN policy_fences p USING (fence_id)
  WHERE NOT EXISTS (SELECT 1 FROM policy_fence_client_regions fc WHERE fc.fence_id = f.fence_id AND fc.region = r.region)
    AND (NOT r.unplaced OR p.unplaced_clients = 'violation')
  GROUP BY ALL
)
SELECT c.ts, c.session_id, pl.dc_id, c.dc_id AS logged_dc_id, c.dc_ip, pl.dc_ip_status, pl.placed_by, c.outcome, c.tier AS logged_tier, c.attempt, c.latency_ms, c.traffic,
  c.file_id, c.line_no, c.part,
  s.client_region, s.in_window,
  pl.in_catalog, pl.dc_region, pl.dc_country, pl.dc_operator,
  r.tier AS listed_tier,
  coalesce(c.tier, r.tier, 'unlisted') AS eff_tier,
  x.fence_id,
  pl.region IN (SELECT region FROM policy_fence_dc_regions) AS in_fenced_region,
  ra_time_order(c.ts, c.file_id, c.line_no, c.part, o.ts_span, o.line_span, o.part_span) AS ord
FROM connections c
JOIN (SELECT * FROM audit_sessions WHERE in_window) s USING (session_id)
JOIN audit_dc_placement pl ON pl.logged = c.dc_id AND pl.dc_ip IS NOT DISTINCT FROM c.dc_ip
CROSS JOIN audit_order_spans o
LEFT JOIN policy_routing r ON r.client_region = s.client_region AND r.dc_id = pl.dc_id
LEFT JOIN closed x ON x.client_region = s.client_region AND x.dc_region = pl.region
-- Exact, and lets the scan skip older row groups by their ts statistics: no attempt of a
-- session precedes its start, and every in-window session starts at or after $scan_start
-- (the window's start, or the earliest late session's: scan-start.sql).
WHERE $scan_start::TIMESTAMPTZ IS NULL OR c.ts >= $scan_start::TIMESTAMPTZ;
