-- id: unknown-datacenter
-- title: Session attempted a datacenter missing from the catalog
-- severity: medium
-- kind: session
-- routine: attempts-not-needed
-- suppress: account, datacenter, client_region
-- incident-title: {sessions_of_region} attempted datacenters missing from the catalog{if geo_placement} (by address:
--   region {datacenter_region}){end}
-- what-happened: {sessions:session} from client region {client_region} attempted a datacenter absent from the
--   policy catalog{key_exchange_note}.
-- incident-cause: {datacenters} {if several_datacenters}are{else}is{end} not in the policy's datacenter
--   catalog, so no {if geo_placement}routing rule can vouch for {if several_datacenters}them{else}it{end}, and
--   fences judge {if several_datacenters}them{else}it{end} only by the country of {if several_datacenters}their
--   addresses{else}its address{end}.{geo_placement}{else}fence or routing rule can vouch for {if
--   several_datacenters}them{else}it{end}.{end}
-- incident-action: Add {datacenters} to the catalog with {if several_datacenters}their{else}its{end} country
--   (and routing), or find out why clients were sent there. A datacenter's names and networks place the
--   strings and addresses that logs use for it.
-- description: The session attempted a datacenter that the policy's catalog does not
--   list (by id, name or network), so no routing rule can vouch for it. When the geo
--   database places its dc_ip in a country, the finding's datacenter region is the
--   region listing that country (fences judge it there too) and the detail says so.
-- parameters: none
SELECT a.session_id,
  a.dc_id, a.dc_region, a.file_id AS evidence_file_id, a.line_no AS evidence_line_no, a.part AS evidence_part,
  'attempted ' || a.dc_id || ' (outcome ' || a.outcome || '), which is not in the datacenter catalog' ||
    -- The address is named unless the logged string is the address itself (a flow log).
    CASE WHEN a.dc_ip IS NULL THEN ''
         ELSE '; its address' || CASE WHEN a.dc_ip = a.logged_dc_id THEN '' ELSE ' ' || a.dc_ip END ||
           CASE WHEN a.placed_by = 'geo' THEN ' is in ' || a.dc_country || ' by the geo database'
                ELSE ' gives no country (geo lookup: ' || coalesce(a.dc_ip_status, 'not-looked-up') || ')' END END AS detail
FROM audit_attempts a
WHERE a.in_window AND NOT a.in_catalog
QUALIFY row_number() OVER (PARTITION BY a.session_id ORDER BY a.ord) = 1;
