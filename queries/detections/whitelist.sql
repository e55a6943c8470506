-- id: whitelist
-- title: Fenced datacenter on a region's routing list
-- severity: critical
-- kind: policy
-- description: From the policy alone: a datacenter listed for client region R
--   (primary or secondary) lies in a fence's datacenter_regions while R is not in
--   that fence's client_regions. Clients of R will connect there whenever they fall
--   back: the root cause of April 2020.
-- parameters: none
WITH fence_clients AS (
  SELECT fence_id, string_agg(region, ', ' ORDER BY region) AS clients
  FROM policy_fence_client_regions GROUP BY fence_id
)
SELECT 'W-' || left(sha256(r.client_region || '|' || r.dc_id || '|' || f.fence_id), 10) AS id,
  'routing.' || r.client_region || '.' || r.tier || '[' || r.position || ']' AS path,
  r.dc_id || ' (' || d.region || ') is on the ' || r.client_region || ' ' || r.tier || ' list, but fence "' ||
    f.fence_id || '" admits only ' || fc.clients || ' clients to ' || d.region || ' datacenters' AS message,
  r.client_region, r.dc_id AS datacenter
FROM policy_routing r
JOIN policy_datacenters d USING (dc_id)
JOIN policy_fence_dc_regions f ON f.region = d.region
JOIN fence_clients fc USING (fence_id)
WHERE NOT EXISTS (
  SELECT 1 FROM policy_fence_client_regions x WHERE x.fence_id = f.fence_id AND x.region = r.client_region)
ORDER BY r.client_region, r.tier, r.position, f.fence_id;
