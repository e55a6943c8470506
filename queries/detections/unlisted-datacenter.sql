-- id: unlisted-datacenter
-- title: Session connected to a datacenter its region does not route to
-- severity: medium
-- kind: session
-- routine: attempts-not-needed
-- suppress: account, datacenter, client_region
-- causes: whitelist
-- incident-title: {sessions_of_region} connected to datacenters off their routing lists
-- what-happened: {sessions:session} from client region {client_region} connected to a datacenter in region
--   {datacenter_region} that is on neither of their region's routing lists{key_exchange_note}.
-- incident-cause: {routing_cause}{surge}{expired}
-- incident-action: Check client configuration and DNS for {client_region}: clients connected to
--   {datacenters}, which the policy does not route {client_region} to. If the routing is intended, add it to
--   the policy.
-- description: The session's client region has a routing entry, and the session
--   connected to a catalog datacenter on neither of that region's lists (primary or
--   secondary): clients are not following the policy.
-- parameters: none
SELECT a.session_id,
  a.dc_id, a.dc_region, a.file_id AS evidence_file_id, a.line_no AS evidence_line_no, a.part AS evidence_part,
  'connected to ' || a.dc_id || ' (' || a.dc_region || '), which is on neither routing list of ' ||
    a.client_region AS detail
FROM audit_attempts a
WHERE a.in_window AND a.outcome = 'connected' AND a.in_catalog AND a.listed_tier IS NULL
  AND a.client_region IN (SELECT client_region FROM policy_routing)
QUALIFY row_number() OVER (PARTITION BY a.session_id ORDER BY a.ord) = 1;
