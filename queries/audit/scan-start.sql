-- Where the two scans of the stored attempts may start (NULL: scan everything), so older row
-- groups are skipped by their ts statistics. Each bound is exact: no record of a session precedes
-- its start, and a late session (nightly) may start before either bound.
--   lookback_scan_start: the logged pairs (logged-pairs.sql), which place the last connected
--     attempt of every derived session, the lookback's too: the baseline lookback, or the start
--     of the earliest late session when one began before it;
--   window_scan_start: the attempts (attempts.sql), of the in-window sessions only: the window's
--     start, or the earliest late session's.
WITH late AS (SELECT min(session_start) AS start FROM audit_session_facts WHERE late)
SELECT
  CASE WHEN $lookback_start::TIMESTAMPTZ IS NULL THEN NULL
    ELSE least($lookback_start::TIMESTAMPTZ, (SELECT start FROM late)) END AS lookback_scan_start,
  CASE WHEN $since::TIMESTAMPTZ IS NULL THEN NULL
    ELSE least($since::TIMESTAMPTZ, (SELECT start FROM late)) END AS window_scan_start;
