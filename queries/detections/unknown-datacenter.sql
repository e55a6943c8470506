-- id: unknown-datacenter
-- title: Session attempted a datacenter missing from the catalog
-- severity: medium
-- kind: session
-- description: The session attempted a dc_id that the policy's datacenter catalog
--   does not list, so no fence or routing rule can vouch for it.
-- parameters: none
SELECT a.session_id, 'unknown-datacenter' AS rule, 'medium' AS severity,
  a.dc_id, a.dc_region, a.file_id AS evidence_file_id, a.line_no AS evidence_line_no,
  'attempted ' || a.dc_id || ' (outcome ' || a.outcome || '), which is not in the datacenter catalog' AS detail
FROM audit_attempts a
WHERE a.in_window AND NOT a.in_catalog
QUALIFY row_number() OVER (PARTITION BY a.session_id ORDER BY a.ord) = 1;
