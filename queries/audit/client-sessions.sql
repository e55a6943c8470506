-- Sessions, step 2 of 2 (step 1: session-facts.sql, then the geo lookup: geo-lookup.sql).
-- The client country is the first declared client_country, else the country the policy's
-- client_networks give the first client_ip (the most specific block holding it: office
-- ranges behind a sensor, private addresses included), else the geo database's country for
-- it (geo_lookup_result); the declared one wins where it exists (the country-mismatch rule
-- reports a declared country that the geo database contradicts). country_source says which
-- it was: declared, network or ip. ip_country and ip_status are the geo lookup's answer for
-- the first client_ip, network_country the policy's; NULL without one.
-- last_connected_tier is the effective tier (as attempts.sql makes eff_tier) of the session's
-- last connected attempt, NULL when it never connected: what the fallback rate counts, for
-- the lookback's sessions too, whose attempts audit_attempts does not hold. It needs
-- audit_dc_placement (dc-placement.sql), which runs first.

CREATE OR REPLACE TEMP TABLE audit_sessions AS
WITH by_network AS (
  SELECT g.ip, arg_min(n.country, -n.prefix_length) AS network_country
  FROM geo_lookup_result g
  JOIN policy_client_networks n ON g.ip_key BETWEEN n.range_start AND n.range_end
  GROUP BY g.ip
),
placed AS (
  SELECT f.*, coalesce(l.lacks, []) AS lacks, coalesce(l.partial_sources, []) AS partial_sources,
    g.country AS ip_country, g.status AS ip_status, n.network_country,
    coalesce(f.declared_country, n.network_country, g.country) AS client_country,
    CASE WHEN f.declared_country IS NOT NULL THEN 'declared' WHEN n.network_country IS NOT NULL THEN 'network'
         WHEN g.country IS NOT NULL THEN 'ip' END AS country_source
  FROM audit_session_facts f
  LEFT JOIN audit_session_lacks l USING (session_id)
  LEFT JOIN geo_lookup_result g ON g.ip = f.client_ip
  LEFT JOIN by_network n ON n.ip = f.client_ip
)
SELECT s.*, CASE WHEN s.connected THEN coalesce(s.last_connected_logged_tier, t.tier, 'unlisted') END AS last_connected_tier
FROM (
  SELECT s.*,
    CASE WHEN s.client_country IS NULL THEN 'unknown' ELSE coalesce(r.region, 'unmapped') END AS client_region
  FROM placed s
  LEFT JOIN policy_regions r ON r.country = s.client_country
) s
-- The few (logged pair, client region) pairs a routing list names, joined once.
LEFT JOIN (
  SELECT pl.logged, pl.dc_ip, r.client_region, r.tier
  FROM audit_dc_placement pl JOIN policy_routing r ON r.dc_id = pl.dc_id
) t ON t.logged = s.last_connected_dc_id AND t.dc_ip IS NOT DISTINCT FROM s.last_connected_dc_ip AND t.client_region = s.client_region;
