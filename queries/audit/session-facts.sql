-- Sessions, derived once per audit and shared by every detection (docs/detections.md),
-- step 1 of 2: what each session's records say. A session is all records sharing a
-- session_id; its start is its earliest ts and it belongs to the window [$since, $until)
-- by that start. Sessions that started in the baseline lookback before the window are
-- kept too (in_window = false): only the fallback baseline reads them.
-- Ties in ts are broken by file and line, so "first" is deterministic.
-- Between the two steps, src/detect/sessions.ts resolves geo_lookup (the sessions' first
-- client_ip, distinct) to countries: queries/geo/resolve.sql.

CREATE OR REPLACE TEMP TABLE audit_session_facts AS
SELECT session_id,
  min(ts) AS session_start,
  max(ts) AS session_end,
  first(client_country ORDER BY ts, file_id, line_no) FILTER (WHERE client_country IS NOT NULL) AS declared_country,
  first(account_id ORDER BY ts, file_id, line_no) FILTER (WHERE account_id IS NOT NULL) AS account_id,
  first(meeting_id ORDER BY ts, file_id, line_no) FILTER (WHERE meeting_id IS NOT NULL) AS meeting_id,
  first(user_id ORDER BY ts, file_id, line_no) FILTER (WHERE user_id IS NOT NULL) AS user_id,
  first(client_ip ORDER BY ts, file_id, line_no) FILTER (WHERE client_ip IS NOT NULL) AS client_ip,
  count(*) AS attempts,
  bool_or(outcome = 'connected') AS connected,
  ($since::TIMESTAMPTZ IS NULL OR min(ts) >= $since::TIMESTAMPTZ) AS in_window
FROM connections
GROUP BY session_id
HAVING ($lookback_start::TIMESTAMPTZ IS NULL OR min(ts) >= $lookback_start::TIMESTAMPTZ)
   AND ($until::TIMESTAMPTZ IS NULL OR min(ts) < $until::TIMESTAMPTZ);

CREATE OR REPLACE TEMP TABLE geo_lookup AS
SELECT DISTINCT client_ip AS ip FROM audit_session_facts WHERE client_ip IS NOT NULL;
