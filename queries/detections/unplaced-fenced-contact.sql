-- id: unplaced-fenced-contact
-- title: Session of a client no fence can place reached a fenced region
-- severity: medium
-- kind: session
-- description: A session whose client region is unknown (no declared client_country and
--   no country from its client_ip) or unmapped (a country no policy region lists)
--   attempted or connected to a datacenter in a region that only fences with
--   unplaced_clients: review close. By default (unplaced_clients: violation) such a
--   session is a geofence or geofence-contact finding instead: a fence admits only the
--   clients it lists. With review, the fence's owner asks for these sessions to be
--   listed for review rather than judged. The evidence is its first connected attempt
--   there, else its first attempt there.
-- parameters: none
WITH touched AS (
  SELECT *,
    bool_or(outcome = 'connected' AND traffic = 'key_exchange') OVER (PARTITION BY session_id) AS keys_exchanged
  FROM audit_attempts
  WHERE in_window AND in_fenced_region AND fence_id IS NULL AND client_region IN ('unknown', 'unmapped')
)
SELECT a.session_id, 'unplaced-fenced-contact' AS rule, 'medium' AS severity,
  a.dc_id, a.dc_region, a.file_id AS evidence_file_id, a.line_no AS evidence_line_no,
  CASE WHEN a.outcome = 'connected' THEN 'connected to ' ELSE 'attempted (outcome ' || a.outcome || ') ' END ||
    a.dc_id || ' in fenced region ' || a.dc_region || '; client region ' || a.client_region ||
    CASE WHEN a.client_region = 'unknown'
      THEN ' (no client_country, and no country from client_ip)'
      ELSE ' (its client_country is in no policy region)' END ||
    ', and its fences leave such clients to review' ||
    CASE WHEN a.keys_exchanged THEN '; keys were exchanged with a fenced datacenter' ELSE '' END AS detail
FROM touched a
QUALIFY row_number() OVER (PARTITION BY a.session_id ORDER BY a.outcome = 'connected' DESC, a.ord) = 1;
