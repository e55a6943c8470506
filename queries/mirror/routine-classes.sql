-- For the cluster's candidates.sql (docs/clickhouse.md, "What comes home"): each logged pair
-- (audit_dc_placement) and logged tier that can be routine (none, or primary), with the client
-- countries for which an attempt of it is routine: its datacenter is in the catalog and in no
-- fenced region, and is on the routing list of the country's region with an effective tier of
-- primary. Such an attempt gives no session rule anything to find (docs/detections.md): not
-- geofence*, unknown-, unlisted-datacenter, premature-fallback, nor a secondary fallback. A
-- catalog datacenter without a region (NULL) is never routine.
CREATE OR REPLACE TEMP TABLE mirror_out AS
WITH tiers AS (SELECT NULL::VARCHAR AS tier UNION ALL SELECT 'primary'),
routine AS (
  SELECT p.logged, p.dc_ip, t.tier, c.country
  FROM audit_dc_placement p
  CROSS JOIN tiers t
  JOIN policy_routing r ON r.dc_id = p.dc_id
  JOIN policy_regions c ON c.region = r.client_region
  WHERE p.in_catalog AND p.region IS NOT NULL
    AND p.region NOT IN (SELECT region FROM policy_fence_dc_regions)
    AND coalesce(t.tier, r.tier) = 'primary'
)
SELECT logged AS dc_id, (dc_ip IS NULL)::INTEGER AS dc_ip_null, coalesce(dc_ip, '') AS dc_ip_value,
  (tier IS NULL)::INTEGER AS tier_null, coalesce(tier, '') AS tier_value, list_sort(list_distinct(list(country))) AS countries
FROM routine
GROUP BY ALL;
