-- Where the attempts scan (logged-pairs.sql, attempts.sql) may start: the baseline lookback, or the start of
-- the earliest late session when one began before it. NULL: scan everything.
SELECT CASE WHEN $lookback_start::TIMESTAMPTZ IS NULL THEN NULL
  ELSE least($lookback_start::TIMESTAMPTZ, (SELECT min(session_start) FROM audit_session_facts WHERE late)) END AS scan_start;
