-- Where each datacenter the scanned attempts log (audit_logged_pairs, logged-pairs.sql: its
-- dc_id string and its dc_ip address, as a pair) is placed, in this order (docs/detections.md):
--   id:      a catalog datacenter's id;
--   name:    one of a datacenter's names (exact), else the first name pattern (`*` wildcards)
--            that matches, in catalog order;
--   network: dc_ip in a catalog datacenter's networks, the most specific block holding it
--            (two datacenters never list one block, policy load; blocks of one length are disjoint);
--   geo:     an uncatalogued destination whose dc_ip the geo lookup places in a country
--            (geo_lookup_result: geo-lookup.sql added the addresses): it stays out of the
--            catalog (unknown-datacenter) but takes that country and the region listing it,
--            so fences judge it as they judge catalog datacenters.
-- A pair none of these places keeps its string as its id, uncatalogued, region unknown (NULL
-- placed_by). dc_ip_status is the geo lookup's answer for the address (NULL without one), for
-- the wording of unknown-datacenter.
CREATE OR REPLACE TEMP TABLE audit_dc_placement AS
WITH logged AS (SELECT logged, dc_ip FROM audit_logged_pairs),
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
