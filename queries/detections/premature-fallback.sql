-- id: premature-fallback
-- title: Session fell back to a secondary datacenter early
-- severity: low
-- kind: session
-- routine: attempts-not-needed
-- suppress: account, datacenter, client_region
-- needs: attempt-sequence
-- incident-title: {sessions_of_region} fell back to secondaries before the timeout
-- what-happened: {sessions:session} from client region {client_region} fell back to a secondary datacenter in
--   region {datacenter_region} before the primary timeout{key_exchange_note}.
-- incident-cause: Clients tried secondary datacenters less than {primary_timeout_ms} ms after their first
--   primary attempt, or before any primary.{surge}
-- incident-action: Check the client fallback timer and the primary tier list; early fallback sends traffic
--   to the backup-bridge whitelist more often than the policy intends.
-- description: The session began a secondary attempt less than primary_timeout_ms
--   after its first primary attempt, unless every primary attempt before it ended
--   refused or error; or it tried a secondary before any primary. Tiers are the
--   logged tier, else the client region's routing lists. The finding's datacenter is
--   the first secondary attempt that breaks the rule.
-- parameters: $primary_timeout_ms
WITH ordered AS (
  SELECT *,
    count(*) FILTER (WHERE eff_tier = 'primary') OVER earlier AS primaries_before,
    min(ts) FILTER (WHERE eff_tier = 'primary') OVER earlier AS first_primary_ts,
    count(*) FILTER (WHERE eff_tier = 'primary' AND outcome NOT IN ('refused', 'error')) OVER earlier
      AS waited_primaries_before
  FROM audit_attempts
  -- Only a session with a secondary attempt in the window can be a finding: the windows
  -- (per session) need not run over the others.
  WHERE session_id IN (SELECT session_id FROM audit_attempts WHERE in_window AND eff_tier = 'secondary')
  WINDOW earlier AS (PARTITION BY session_id ORDER BY ord ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
early AS (
  SELECT *, (epoch_us(ts) - epoch_us(first_primary_ts)) / 1000.0 AS after_ms
  FROM ordered
  WHERE in_window AND eff_tier = 'secondary'
    AND (primaries_before = 0
         OR (epoch_us(ts) - epoch_us(first_primary_ts) < $primary_timeout_ms::BIGINT * 1000
             AND waited_primaries_before > 0))
)
SELECT session_id,
  dc_id, dc_region, file_id AS evidence_file_id, line_no AS evidence_line_no, part AS evidence_part,
  CASE WHEN primaries_before = 0
    THEN 'tried secondary ' || dc_id || ' before any primary datacenter'
    ELSE 'tried secondary ' || dc_id || ' ' || round(after_ms)::BIGINT || ' ms after the first primary attempt (timeout ' ||
         $primary_timeout_ms || ' ms)'
  END AS detail
FROM early
QUALIFY row_number() OVER (PARTITION BY session_id ORDER BY ord) = 1;
