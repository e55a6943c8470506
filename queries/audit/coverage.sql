-- Sessions per client region in the window, unknown and unmapped included, so no session is
-- invisible. fenced_region_sessions counts sessions that connected to a datacenter in some
-- fence's datacenter_regions: for unknown and unmapped regions, contacts no fence can judge.
WITH fenced AS (
  SELECT DISTINCT session_id FROM audit_attempts WHERE in_window AND outcome = 'connected' AND in_fenced_region
)
SELECT client_region, count(*) AS sessions,
  count(*) FILTER (WHERE connected) AS connected,
  count(*) FILTER (WHERE NOT connected) AS never_connected,
  count(f.session_id) AS fenced_region_sessions
FROM audit_sessions s
LEFT JOIN fenced f USING (session_id)
WHERE in_window
GROUP BY client_region
ORDER BY client_region;
