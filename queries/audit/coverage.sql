-- Sessions per client region in the window, unknown and unmapped included, so no session is
-- invisible. fenced_region_sessions counts sessions that connected to a datacenter in some
-- fence's datacenter_regions (whether or not a fence admits the region).
-- country_from_ip counts sessions placed by the geo lookup of their client_ip (no declared
-- country), country_from_network those the policy's client_networks placed; ip_without_country those whose first client_ip gave no country.
WITH fenced AS (
  SELECT DISTINCT session_id FROM audit_attempts WHERE in_window AND outcome = 'connected' AND in_fenced_region
)
SELECT client_region, count(*) AS sessions,
  count(*) FILTER (WHERE connected) AS connected,
  count(*) FILTER (WHERE NOT connected) AS never_connected,
  count(f.session_id) AS fenced_region_sessions,
  count(*) FILTER (WHERE country_source = 'ip') AS country_from_ip,
  count(*) FILTER (WHERE country_source = 'network') AS country_from_network,
  count(*) FILTER (WHERE client_ip IS NOT NULL AND ip_country IS NULL) AS ip_without_country
FROM audit_sessions s
LEFT JOIN fenced f USING (session_id)
WHERE in_window
GROUP BY client_region
ORDER BY client_region;
