-- Sessions, derived once per audit and shared by every detection (docs/detections.md).
-- A session is all records sharing a session_id; its start is its earliest ts and it
-- belongs to the window [$since, $until) by that start. Sessions that started in the
-- baseline lookback before the window are kept too (in_window = false): only the
-- fallback baseline reads them.
-- Ties in ts are broken by file and line, so "first" is deterministic.

CREATE OR REPLACE TEMP TABLE audit_sessions AS
WITH per_session AS (
  SELECT session_id,
    min(ts) AS session_start,
    max(ts) AS session_end,
    first(client_country ORDER BY ts, file_id, line_no) FILTER (WHERE client_country IS NOT NULL) AS client_country,
    first(account_id ORDER BY ts, file_id, line_no) FILTER (WHERE account_id IS NOT NULL) AS account_id,
    first(meeting_id ORDER BY ts, file_id, line_no) FILTER (WHERE meeting_id IS NOT NULL) AS meeting_id,
    first(user_id ORDER BY ts, file_id, line_no) FILTER (WHERE user_id IS NOT NULL) AS user_id,
    first(client_ip ORDER BY ts, file_id, line_no) FILTER (WHERE client_ip IS NOT NULL) AS client_ip,
    count(*) AS attempts,
    bool_or(outcome = 'connected') AS connected
  FROM connections
  GROUP BY session_id
  HAVING ($lookback_start::TIMESTAMPTZ IS NULL OR min(ts) >= $lookback_start::TIMESTAMPTZ)
     AND ($until::TIMESTAMPTZ IS NULL OR min(ts) < $until::TIMESTAMPTZ)
)
SELECT s.*,
  CASE WHEN s.client_country IS NULL THEN 'unknown' ELSE coalesce(r.region, 'unmapped') END AS client_region,
  ($since::TIMESTAMPTZ IS NULL OR s.session_start >= $since::TIMESTAMPTZ) AS in_window
FROM per_session s
LEFT JOIN policy_regions r ON r.country = s.client_country;

-- Every attempt of those sessions with what the policy says about it:
--   dc_region: the catalog region, 'unmapped' for a catalog datacenter whose country no
--              region lists, 'unknown' for a dc_id not in the catalog;
--   eff_tier:  the logged tier, else the client region's routing list, else 'unlisted';
--   fence_id:  a fence that forbids this datacenter to this client region (NULL if none).
--              Sessions of region unknown or unmapped are outside every fence: a fence
--              cannot judge a client it cannot place, so they never get one (coverage
--              counts their contacts with fenced regions instead).
CREATE OR REPLACE TEMP TABLE audit_attempts AS
SELECT c.ts, c.session_id, c.dc_id, c.outcome, c.tier AS logged_tier, c.attempt, c.latency_ms, c.traffic,
  c.file_id, c.line_no,
  s.client_region, s.in_window,
  d.dc_id IS NOT NULL AS in_catalog,
  CASE WHEN d.dc_id IS NULL THEN 'unknown' ELSE coalesce(d.region, 'unmapped') END AS dc_region,
  d.country AS dc_country, d.operator AS dc_operator,
  r.tier AS listed_tier,
  coalesce(c.tier, r.tier, 'unlisted') AS eff_tier,
  CASE WHEN s.client_region NOT IN ('unknown', 'unmapped') THEN
    (SELECT min(f.fence_id)
       FROM policy_fence_dc_regions f
      WHERE f.region = d.region
        AND NOT EXISTS (SELECT 1 FROM policy_fence_client_regions fc
                         WHERE fc.fence_id = f.fence_id AND fc.region = s.client_region))
  END AS fence_id,
  d.region IN (SELECT region FROM policy_fence_dc_regions) AS in_fenced_region,
  row_number() OVER (PARTITION BY c.session_id ORDER BY c.ts, c.file_id, c.line_no) AS seq
FROM connections c
JOIN audit_sessions s USING (session_id)
LEFT JOIN policy_datacenters d ON d.dc_id = c.dc_id
LEFT JOIN policy_routing r ON r.client_region = s.client_region AND r.dc_id = c.dc_id;
