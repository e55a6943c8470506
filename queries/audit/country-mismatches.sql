-- Active country-mismatch findings per (declared, resolved) pair of countries: the
-- summary that stands in for incidents of this rule, so that a customer whose staff
-- work over a VPN gets one line per pair instead of a flood.
SELECT s.declared_country AS declared, s.ip_country AS resolved, count(*) AS sessions
FROM audit_findings f
JOIN audit_sessions s USING (session_id)
WHERE f.rule = 'country-mismatch' AND f.status = 'active'
GROUP BY s.declared_country, s.ip_country
ORDER BY sessions DESC, declared, resolved;
