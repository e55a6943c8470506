-- id: unplaced-fenced-contact
-- title: Session of a client no fence can place reached a fenced region
-- severity: medium
-- kind: session
-- routine: attempts-not-needed
-- suppress: account, datacenter, client_region
-- incident-title: Sessions of {if client_unknown}unplaced{else}unmapped{end} clients reached fenced
--   {datacenter_region} datacenters
-- what-happened: {sessions:session} from client region {client_region} reached a fenced datacenter in region
--   {datacenter_region}, from clients no fence can place{key_exchange_note}.
-- incident-cause: {if client_unknown}These sessions declared no client_country and their client_ip gave no
--   country{else}These clients declared a country that no policy region lists{end}, and the fences over
--   {datacenter_region} leave such clients to review (unplaced_clients: review).
-- incident-action: {if client_unknown}Find out where these clients were (affected-sessions.csv: account, user,
--   meeting); have clients log client_country or client_ip. If they were outside {fence_client_regions},
--   treat them as geofence violations.{else}Add their countries to a policy region so the fences can judge
--   them (affected-sessions.csv lists the sessions and countries).{end}
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
SELECT a.session_id,
  a.dc_id, a.dc_region, a.file_id AS evidence_file_id, a.line_no AS evidence_line_no, a.part AS evidence_part,
  CASE WHEN a.outcome = 'connected' THEN 'connected to ' ELSE 'attempted (outcome ' || a.outcome || ') ' END ||
    a.dc_id || ' in fenced region ' || a.dc_region || '; client region ' || a.client_region ||
    CASE WHEN a.client_region = 'unknown'
      THEN ' (no client_country, and no country from client_ip)'
      ELSE ' (its client_country is in no policy region)' END ||
    ', and its fences leave such clients to review' ||
    CASE WHEN a.keys_exchanged THEN '; keys were exchanged with a fenced datacenter' ELSE '' END AS detail
FROM touched a
QUALIFY row_number() OVER (PARTITION BY a.session_id ORDER BY a.outcome = 'connected' DESC, a.ord) = 1;
