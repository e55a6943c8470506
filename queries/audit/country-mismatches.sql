-- Active findings of the rules whose header says `grouping: country-pairs`
-- ($country_pair_rules: country-mismatch), per (declared, resolved) pair of countries: the
-- summary that stands in for incidents of such a rule, so that a customer whose staff
-- work over a VPN gets one line per pair instead of a flood.
SELECT f.rule, s.declared_country AS declared, s.ip_country AS resolved, count(*) AS sessions
FROM audit_findings f
JOIN audit_sessions s USING (session_id)
WHERE list_contains($country_pair_rules, f.rule) AND f.status = 'active'
GROUP BY f.rule, s.declared_country, s.ip_country
ORDER BY sessions DESC, declared, resolved, f.rule;
