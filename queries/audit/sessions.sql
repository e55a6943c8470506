-- Sessions, step 2 of 2 (step 1: session-facts.sql, then the geo lookup).
-- The client country is the first declared client_country, else the country the policy's
-- client_networks give the first client_ip (the most specific block holding it: office
-- ranges behind a sensor, private addresses included), else the geo database's country for
-- it (geo_lookup_result); the declared one wins where it exists (the country-mismatch rule
-- reports a declared country that the geo database contradicts). country_source says which
-- it was: declared, network or ip. ip_country and ip_status are the geo lookup's answer for
-- the first client_ip, network_country the policy's; NULL without one.

CREATE OR REPLACE TEMP TABLE audit_sessions AS
WITH by_network AS (
  SELECT g.ip, arg_min(n.country, -n.prefix_length) AS network_country
  FROM geo_lookup_result g
  JOIN policy_client_networks n ON g.ip_key BETWEEN n.range_start AND n.range_end
  GROUP BY g.ip
),
placed AS (
  SELECT f.*, coalesce(l.lacks, []) AS lacks, coalesce(l.partial_sources, []) AS partial_sources,
    g.country AS ip_country, g.status AS ip_status, n.network_country,
    coalesce(f.declared_country, n.network_country, g.country) AS client_country,
    CASE WHEN f.declared_country IS NOT NULL THEN 'declared' WHEN n.network_country IS NOT NULL THEN 'network'
         WHEN g.country IS NOT NULL THEN 'ip' END AS country_source
  FROM audit_session_facts f
  LEFT JOIN audit_session_lacks l USING (session_id)
  LEFT JOIN geo_lookup_result g ON g.ip = f.client_ip
  LEFT JOIN by_network n ON n.ip = f.client_ip
)
SELECT s.*,
  CASE WHEN s.client_country IS NULL THEN 'unknown' ELSE coalesce(r.region, 'unmapped') END AS client_region
FROM placed s
LEFT JOIN policy_regions r ON r.country = s.client_country;

-- Where each datacenter the scanned attempts log (its dc_id string and its dc_ip address, as a
-- pair) is placed, in this order (docs/detections.md):
--   id:      a catalog datacenter's id;
--   name:    one of a datacenter's names (exact), else the first name pattern (`*` wildcards)
--            that matches, in catalog order;
--   network: dc_ip in a catalog datacenter's networks, the most specific block holding it
--            (two datacenters never list one block, policy load; blocks of one length are disjoint);
--   geo:     an uncatalogued destination whose dc_ip the geo lookup places in a country
--            (geo_lookup_result: session-facts.sql added the addresses): it stays out of the
--            catalog (unknown-datacenter) but takes that country and the region listing it,
--            so fences judge it as they judge catalog datacenters.
-- A pair none of these places keeps its string as its id, uncatalogued, region unknown (NULL
-- placed_by). dc_ip_status is the geo lookup's answer for the address (NULL without one), for
-- the wording of unknown-datacenter.
CREATE OR REPLACE TEMP TABLE audit_dc_placement AS
WITH logged AS (
  SELECT DISTINCT dc_id AS logged, dc_ip FROM connections
  WHERE $scan_start::TIMESTAMPTZ IS NULL OR ts >= $scan_start::TIMESTAMPTZ
),
by_pattern AS (
  SELECT l.logged, arg_min(n.dc_id, n.position) AS dc_id
  FROM (SELECT DISTINCT logged FROM logged) l
  JOIN policy_dc_names n ON n.pattern IS NOT NULL AND l.logged LIKE n.pattern ESCAPE '\'
  GROUP BY l.logged
),
named AS (
  SELECT l.logged, l.dc_ip, coalesce(d.dc_id, x.dc_id, p.dc_id) AS dc_id,
    CASE WHEN d.dc_id IS NOT NULL THEN 'id' WHEN x.dc_id IS NOT NULL OR p.dc_id IS NOT NULL THEN 'name' END AS placed_by
  FROM logged l
  LEFT JOIN policy_datacenters d ON d.dc_id = l.logged
  LEFT JOIN policy_dc_names x ON x.pattern IS NULL AND x.name = l.logged
  LEFT JOIN by_pattern p ON p.logged = l.logged
),
by_network AS (
  SELECT g.ip, arg_min(n.dc_id, -n.prefix_length) AS dc_id
  FROM geo_lookup_result g
  JOIN policy_dc_networks n ON g.ip_key BETWEEN n.range_start AND n.range_end
  GROUP BY g.ip
),
placed AS (
  SELECT l.logged, l.dc_ip, g.status AS dc_ip_status,
    coalesce(l.dc_id, n.dc_id) AS catalog_id,
    CASE WHEN l.dc_id IS NULL AND n.dc_id IS NULL THEN g.country END AS geo_country,
    coalesce(l.placed_by, CASE WHEN n.dc_id IS NOT NULL THEN 'network' WHEN g.country IS NOT NULL THEN 'geo' END) AS placed_by
  FROM named l
  LEFT JOIN by_network n ON l.dc_id IS NULL AND n.ip = l.dc_ip
  LEFT JOIN geo_lookup_result g ON g.ip = l.dc_ip
)
SELECT p.logged, p.dc_ip, p.dc_ip_status, coalesce(p.catalog_id, p.logged) AS dc_id, p.placed_by,
  d.dc_id IS NOT NULL AS in_catalog,
  coalesce(d.country, p.geo_country) AS dc_country,
  d.operator AS dc_operator,
  -- A catalog region (NULL: its country is in no region), or the geo country's.
  CASE WHEN d.dc_id IS NOT NULL THEN d.region ELSE r.region END AS region,
  CASE WHEN d.dc_id IS NULL AND p.geo_country IS NULL THEN 'unknown'
       ELSE coalesce(CASE WHEN d.dc_id IS NOT NULL THEN d.region ELSE r.region END, 'unmapped') END AS dc_region
FROM placed p
LEFT JOIN policy_datacenters d ON d.dc_id = p.catalog_id
LEFT JOIN policy_regions r ON d.dc_id IS NULL AND r.country = p.geo_country;

-- Every attempt of those sessions with what the policy says about it:
--   dc_id:     the catalog datacenter (audit_dc_placement); logged_dc_id and dc_ip as logged,
--              placed_by how it was placed (id, name, network, geo; NULL when nothing placed it);
--   dc_region: the catalog region, 'unmapped' for a catalog datacenter whose country no
--              region lists; for a destination not in the catalog, the region listing the geo
--              country of its dc_ip ('unmapped' when none does), else 'unknown';
--   dc_country: the catalog country, or the geo country of an uncatalogued destination;
--   eff_tier:  the logged tier, else the client region's routing list, else 'unlisted';
--   ord:       the attempt's place in time order (ts, file, line, part): ra_time_order, session-facts.sql;
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
JOIN audit_sessions s USING (session_id)
JOIN audit_dc_placement pl ON pl.logged = c.dc_id AND pl.dc_ip IS NOT DISTINCT FROM c.dc_ip
CROSS JOIN audit_order_spans o
LEFT JOIN policy_routing r ON r.client_region = s.client_region AND r.dc_id = pl.dc_id
LEFT JOIN closed x ON x.client_region = s.client_region AND x.dc_region = pl.region
-- Exact, and lets the scan skip older row groups by their ts statistics: no attempt of a
-- session precedes its start, and every derived session starts at or after $scan_start
-- (the lookback, or the earliest late session: scan-start.sql).
WHERE $scan_start::TIMESTAMPTZ IS NULL OR c.ts >= $scan_start::TIMESTAMPTZ;
