-- id: unlisted-datacenter
-- title: Session connected to a datacenter its region does not route to
-- severity: medium
-- kind: session
-- description: The session's client region has a routing entry, and the session
--   connected to a catalog datacenter on neither of that region's lists (primary or
--   secondary): clients are not following the policy.
-- parameters: none
SELECT a.session_id, 'unlisted-datacenter' AS rule, 'medium' AS severity,
  a.dc_id, a.dc_region, a.file_id AS evidence_file_id, a.line_no AS evidence_line_no,
  'connected to ' || a.dc_id || ' (' || a.dc_region || '), which is on neither routing list of ' ||
    a.client_region AS detail
FROM audit_attempts a
WHERE a.in_window AND a.outcome = 'connected' AND a.in_catalog AND a.listed_tier IS NULL
  AND a.client_region IN (SELECT client_region FROM policy_routing)
QUALIFY row_number() OVER (PARTITION BY a.session_id ORDER BY a.ord) = 1;
