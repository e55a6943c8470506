-- id: fallback-rate
-- title: Fallback to secondary datacenters above the limit
-- severity: medium
-- kind: window
-- routine: attempts-not-needed
-- suppress: client_region
-- needs: attempt-sequence
-- description: Per client region and UTC-aligned window (a session belongs to the
--   window of its start): the share of connected sessions whose last connected
--   attempt was tier secondary. Flagged "max-rate" when at least min_sessions
--   sessions connected and the share exceeds max_rate; flagged "baseline" when, with
--   as many sessions, the share is at least 3 times the region's trailing baseline
--   and at least 5 percentage points above it. The baseline is the pooled share of
--   the region's sessions in the 7 days before the window (the window excluded, and
--   windows over max_rate excluded), known only when at least min_sessions of them
--   connected. Every window is
--   returned, flagged or not, with its never-connected (failure) count, and the
--   suppression (rule fallback-rate, matching client_region, `until` after the window
--   start; one with an account or datacenter matcher never matches a window).
--   Windows are those of the audit window itself: a nightly run's late sessions
--   (docs/nightly.md) count only in baselines.
-- parameters: $window_ms, $max_rate, $min_sessions, $baseline_days
WITH per_session AS (
  -- Late sessions (nightly) belong to a window audited before: they count in baselines only.
  -- last_connected_tier is in the sessions (client-sessions.sql), the lookback's included.
  SELECT s.session_id, s.client_region, s.in_window AND NOT s.late AS in_window, s.connected,
    time_bucket(to_milliseconds($window_ms::BIGINT), s.session_start) AS window_start,
    s.last_connected_tier
  FROM audit_sessions s
  -- needs: attempt-sequence. A source without it (a flow log, a participant export) shows no
  -- session falling back: its sessions are in no window, neither as fallbacks nor as the base.
  WHERE NOT list_contains(s.lacks, 'attempt-sequence')
),
per_window AS (
  SELECT client_region, window_start, in_window,
    count(*) AS sessions,
    count(*) FILTER (WHERE connected) AS connected,
    count(*) FILTER (WHERE last_connected_tier = 'secondary') AS via_secondary,
    count(*) FILTER (WHERE NOT connected) AS never_connected
  FROM per_session
  GROUP BY ALL
),
with_baseline AS (
  -- Windows over max_rate are left out of the baseline, so a long surge does not
  -- raise the bar it is measured against.
  SELECT *,
    sum(CASE WHEN over_max_rate THEN 0 ELSE via_secondary END) OVER lookback AS baseline_via_secondary,
    sum(CASE WHEN over_max_rate THEN 0 ELSE connected END) OVER lookback AS baseline_connected
  FROM (
    SELECT *, connected >= $min_sessions::BIGINT AND via_secondary / connected > $max_rate::DOUBLE AS over_max_rate
    FROM per_window
  )
  WINDOW lookback AS (
    PARTITION BY client_region ORDER BY window_start
    RANGE BETWEEN to_days($baseline_days::INTEGER) PRECEDING AND CURRENT ROW EXCLUDE GROUP)
),
rated AS (
  SELECT *,
    CASE WHEN connected > 0 THEN via_secondary / connected END AS rate,
    CASE WHEN baseline_connected >= $min_sessions::BIGINT THEN baseline_via_secondary / baseline_connected END AS baseline_rate
  FROM with_baseline
)
SELECT r.client_region, r.window_start,
  r.window_start + to_milliseconds($window_ms::BIGINT) AS window_end,
  r.sessions, r.connected, r.via_secondary, r.rate, r.never_connected,
  r.never_connected / r.sessions AS failure_rate,
  r.baseline_rate,
  list_filter([
    CASE WHEN r.connected >= $min_sessions::BIGINT AND r.rate > $max_rate::DOUBLE THEN 'max-rate' END,
    CASE WHEN r.connected >= $min_sessions::BIGINT AND r.baseline_rate IS NOT NULL
          AND r.rate >= 3 * r.baseline_rate AND r.rate - r.baseline_rate >= 0.05 THEN 'baseline' END
  ], f -> f IS NOT NULL) AS flags,
  p.suppression_index, p.reason AS suppression_reason, p.until AS suppression_until
FROM rated r
LEFT JOIN policy_suppressions p ON p.suppression_index = (
  SELECT min(x.suppression_index) FROM policy_suppressions x
  WHERE x.rule = $rule AND x.account_id IS NULL AND x.dc_id IS NULL
    AND (x.client_region IS NULL OR x.client_region = r.client_region) AND x.until > r.window_start)
WHERE r.in_window
ORDER BY r.client_region, r.window_start;
