-- id: unknown-datacenter
-- title: Session attempted a datacenter missing from the catalog
-- severity: medium
-- kind: session
-- suppress: account, datacenter, client_region
-- incident-title: {sessions_of_region} attempted datacenters missing from the catalog
-- what-happened: {sessions:session} from client region {client_region} attempted a datacenter absent from the
--   policy catalog{key_exchange_note}.
-- incident-cause: {datacenters} {if several_datacenters}are{else}is{end} not in the policy's datacenter
--   catalog, so no fence or routing rule can vouch for {if several_datacenters}them{else}it{end}.
-- incident-action: Add {datacenters} to the catalog with {if several_datacenters}their{else}its{end} country
--   (and routing), or find out why clients were sent there.
-- description: The session attempted a dc_id that the policy's datacenter catalog
--   does not list, so no fence or routing rule can vouch for it.
-- parameters: none
SELECT a.session_id,
  a.dc_id, a.dc_region, a.file_id AS evidence_file_id, a.line_no AS evidence_line_no, a.part AS evidence_part,
  'attempted ' || a.dc_id || ' (outcome ' || a.outcome || '), which is not in the datacenter catalog' AS detail
FROM audit_attempts a
WHERE a.in_window AND NOT a.in_catalog
QUALIFY row_number() OVER (PARTITION BY a.session_id ORDER BY a.ord) = 1;
