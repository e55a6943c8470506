-- id: country-mismatch
-- title: Declared client country differs from the country of the client's address
-- severity: low
-- kind: session
-- routine: attempts-not-needed
-- suppress: account, datacenter, client_region
-- grouping: country-pairs
-- description: The session's first declared client_country and the country that the geo
--   database gives for its first client_ip both exist and differ (a VPN, a proxy, a
--   misconfigured client, or a stale geo database). The declared country decides the
--   client region; this only reports the disagreement. The finding's datacenter and
--   evidence are the session's first attempt, since no datacenter caused it. Findings
--   are summarised per pair of countries instead of grouped into incidents.
-- parameters: none
SELECT s.session_id,
  a.dc_id, a.dc_region, a.file_id AS evidence_file_id, a.line_no AS evidence_line_no, a.part AS evidence_part,
  'declared client_country ' || s.declared_country || ', but client_ip ' || s.client_ip || ' is in ' ||
    s.ip_country || ' by the geo database; the declared country decides the client region (' ||
    s.client_region || ')' AS detail
FROM audit_sessions s
JOIN audit_attempts a ON a.session_id = s.session_id AND a.ord = s.first_ord
WHERE s.in_window AND s.declared_country <> s.ip_country;
