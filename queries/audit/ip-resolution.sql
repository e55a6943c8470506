-- How the first client_ip of the window's sessions resolved, per outcome (queries/geo/resolve.sql),
-- sessions without an address as `no-address`: the counts add up to every session in the window.
-- Order: resolved, the special-purpose reasons by name, invalid, not-in-database, not-looked-up, no-address.
WITH per_status AS (
  SELECT coalesce(ip_status, 'no-address') AS status, count(*) AS sessions, count(DISTINCT client_ip) AS addresses
  FROM audit_sessions
  WHERE in_window
  GROUP BY coalesce(ip_status, 'no-address')
)
SELECT status, sessions, addresses
FROM per_status
ORDER BY CASE status
    WHEN 'resolved' THEN 0 WHEN 'invalid' THEN 2 WHEN 'not-in-database' THEN 3
    WHEN 'not-looked-up' THEN 4 WHEN 'no-address' THEN 5 ELSE 1 END,
  status;
