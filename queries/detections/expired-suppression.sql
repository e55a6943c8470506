-- id: expired-suppression
-- title: Suppression past its end date
-- severity: low
-- kind: policy
-- description: A suppression whose `until` is not after the run's clock. It still
--   covers sessions that started before `until`, but newer sessions are reported;
--   renew it with a new approval or delete it.
-- parameters: $now
SELECT 'S-' || suppression_index AS id,
  'suppressions[' || suppression_index || ']' AS path,
  'suppression of ' || rule || ' (' || reason || ') expired on ' || strftime(until, '%Y-%m-%d %H:%M UTC') AS message,
  client_region, dc_id AS datacenter
FROM policy_suppressions
WHERE until <= $now::TIMESTAMPTZ
ORDER BY suppression_index;
