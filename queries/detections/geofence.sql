-- id: geofence
-- title: Session connected to a fenced datacenter
-- severity: high
-- kind: session
-- routine: attempts-not-needed
-- raised: critical when the session exchanged keys (a connected key_exchange record) with a fenced datacenter
-- suppress: account, datacenter, client_region
-- causes: whitelist
-- incident-title: {sessions_of_region} connected to fenced {datacenter_region} datacenters
-- what-happened: {sessions:session} from client region {client_region} connected to a fenced datacenter in
--   region {datacenter_region}{key_exchange_note}.
-- incident-cause: {if unplaced_cause}{unplaced_cause}{if routing_cause} {routing_cause}{end}{else}{if
--   whitelist_cause}{whitelist_cause}{else}{routing_cause}{end}{end}{geo_placement}{surge}{expired}
-- incident-action: {routing_fix} Ask the operator of {datacenters} what was retained from these
--   sessions{if key_exchange_sessions}, including the {key_exchange_sessions:key exchange}; treat those meeting keys as
--   exposed.{else}.{end} Notify the affected accounts (affected-sessions.csv lists every session).
-- description: A session connected to a datacenter in a fence's datacenter_regions
--   while its client region is not among that fence's client_regions. Fail-closed: a
--   client no region places (region unknown: no client_country and no country from
--   client_ip, e.g. a private address; region unmapped: a country no policy region
--   lists) is not admitted either, unless the fence sets unplaced_clients: review.
--   Critical when the session exchanged keys (a connected key_exchange record) with a
--   fenced datacenter.
-- parameters: none
WITH fenced_connections AS (
  SELECT * FROM audit_attempts
  WHERE in_window AND outcome = 'connected' AND fence_id IS NOT NULL
),
key_exchange_sessions AS (
  SELECT DISTINCT session_id FROM fenced_connections WHERE traffic = 'key_exchange'
)
SELECT h.session_id, k.session_id IS NOT NULL AS raised,
  h.dc_id, h.dc_region, h.file_id AS evidence_file_id, h.line_no AS evidence_line_no, h.part AS evidence_part,
  'connected to ' || h.dc_id || ' in ' || h.dc_region || ', which fence "' || h.fence_id ||
    '" closes to ' || CASE h.client_region
      WHEN 'unknown' THEN 'clients it cannot place (client region unknown: no client_country, and no country from client_ip)'
      WHEN 'unmapped' THEN 'clients it cannot place (client region unmapped: a client_country no policy region lists)'
      ELSE h.client_region || ' clients' END ||
    CASE WHEN k.session_id IS NULL THEN '' ELSE '; keys were exchanged with a fenced datacenter' END AS detail
FROM fenced_connections h
LEFT JOIN key_exchange_sessions k USING (session_id)
QUALIFY row_number() OVER (PARTITION BY h.session_id ORDER BY h.ord) = 1;
