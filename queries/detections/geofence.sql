-- id: geofence
-- title: Session connected to a fenced datacenter
-- severity: high
-- kind: session
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
SELECT h.session_id, 'geofence' AS rule,
  CASE WHEN k.session_id IS NULL THEN 'high' ELSE 'critical' END AS severity,
  h.dc_id, h.dc_region, h.file_id AS evidence_file_id, h.line_no AS evidence_line_no,
  'connected to ' || h.dc_id || ' in ' || h.dc_region || ', which fence "' || h.fence_id ||
    '" closes to ' || CASE h.client_region
      WHEN 'unknown' THEN 'clients it cannot place (client region unknown: no client_country, and no country from client_ip)'
      WHEN 'unmapped' THEN 'clients it cannot place (client region unmapped: a client_country no policy region lists)'
      ELSE h.client_region || ' clients' END ||
    CASE WHEN k.session_id IS NULL THEN '' ELSE '; keys were exchanged with a fenced datacenter' END AS detail
FROM fenced_connections h
LEFT JOIN key_exchange_sessions k USING (session_id)
QUALIFY row_number() OVER (PARTITION BY h.session_id ORDER BY h.ord) = 1;
