-- id: account-routing
-- title: Account's data-routing selection violated
-- severity: high
-- kind: session
-- routine: attempts-not-needed
-- suppress: account, datacenter, client_region
-- causes: whitelist, expired-suppression
-- incident-title: Sessions of restricted accounts ({accounts}) served from {datacenter_region}
-- what-happened: {sessions:session} from client region {client_region} connected to a datacenter in region
--   {datacenter_region}, outside their account's data-routing selection{key_exchange_note}.
-- incident-cause: {account_selections}. {routing_cause}{geo_placement}{surge}{expired}
-- incident-action: Keep {accounts} off {datacenters} (a per-account routing restriction){unless
--   datacenter_region_fenced}, or record an approved exception as a suppression with its reason and end
--   date{end}. Tell the account owners.
-- description: The session's account has a data-routing selection and the session
--   connected to a datacenter whose region is neither its home_region nor in its
--   allowed_regions (a datacenter of region unknown or unmapped is in neither).
-- parameters: none
WITH selections AS (
  SELECT account_id, string_agg(region, ', ' ORDER BY region) AS allowed
  FROM policy_account_regions GROUP BY account_id
)
SELECT a.session_id,
  a.dc_id, a.dc_region, a.file_id AS evidence_file_id, a.line_no AS evidence_line_no, a.part AS evidence_part,
  'account ' || s.account_id || ' may be served only from ' || sel.allowed || '; connected to ' ||
    a.dc_id || ' in ' || a.dc_region AS detail
FROM audit_attempts a
JOIN audit_sessions s USING (session_id)
JOIN selections sel ON sel.account_id = s.account_id
WHERE a.in_window AND a.outcome = 'connected'
  AND NOT EXISTS (
    SELECT 1 FROM policy_account_regions p WHERE p.account_id = s.account_id AND p.region = a.dc_region)
QUALIFY row_number() OVER (PARTITION BY a.session_id ORDER BY a.ord) = 1;
