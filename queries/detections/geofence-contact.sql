-- id: geofence-contact
-- title: Session attempted a fenced datacenter without connecting
-- severity: medium
-- kind: session
-- routine: attempts-not-needed
-- suppress: account, datacenter, client_region
-- causes: whitelist
-- incident-title: {sessions_of_region} attempted fenced {datacenter_region} datacenters
-- what-happened: {sessions:session} from client region {client_region} attempted a fenced datacenter in
--   region {datacenter_region} without connecting to it{key_exchange_note}.
-- incident-cause: {if unplaced_cause}{unplaced_cause}{if routing_cause} {routing_cause}{end}{else}{if
--   whitelist_cause}{whitelist_cause}{else}{routing_cause}{end}{end}{geo_placement}{surge}{expired}
-- incident-action: {routing_fix} No attempt connected: confirm with the operator that none of them carried data.
-- description: A session attempted (any outcome) a datacenter that a fence closes to
--   its client region (fail-closed for clients no region places, as in geofence) but
--   never connected to such a datacenter. Routing sent it there; only the datacenter's
--   failure kept the traffic out.
-- parameters: none
WITH fenced_attempts AS (
  SELECT * FROM audit_attempts WHERE in_window AND fence_id IS NOT NULL
)
SELECT a.session_id,
  a.dc_id, a.dc_region, a.file_id AS evidence_file_id, a.line_no AS evidence_line_no, a.part AS evidence_part,
  'attempted ' || a.dc_id || ' in ' || a.dc_region || ' (outcome ' || a.outcome || '), which fence "' ||
    a.fence_id || '" closes to ' || CASE a.client_region
      WHEN 'unknown' THEN 'clients it cannot place (client region unknown: no client_country, and no country from client_ip)'
      WHEN 'unmapped' THEN 'clients it cannot place (client region unmapped: a client_country no policy region lists)'
      ELSE a.client_region || ' clients' END || '; never connected to it' AS detail
FROM fenced_attempts a
WHERE NOT EXISTS (
  SELECT 1 FROM fenced_attempts c WHERE c.session_id = a.session_id AND c.outcome = 'connected')
QUALIFY row_number() OVER (PARTITION BY a.session_id ORDER BY a.ord) = 1;
