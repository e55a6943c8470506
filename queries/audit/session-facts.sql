-- Sessions, derived once per audit and shared by every detection (docs/detections.md),
-- step 1 of 2: what each session's records say. A session is all records sharing a
-- session_id; its start is its earliest ts and it belongs to the window [$since, $until)
-- by that start. Sessions that started in the baseline lookback before the window are
-- kept too (in_window = false): only the fallback baseline reads them. Late sessions
-- (nightly: a record arrived since the last run) are in the window whatever their start.
-- Ties in ts are broken by file and line, so "first" and "last" are deterministic.
-- last_connected_*: the session's last connected attempt as logged (dc_id, dc_ip, logged tier;
-- NULL when it never connected), so the fallback baseline needs no attempt of a lookback session:
-- client-sessions.sql makes its effective tier, and audit_attempts holds the window's only.
-- Between the two steps, src/detect/sessions.ts resolves geo_lookup (the sessions' first
-- client_ip and the attempts' dc_ip, distinct) to countries: queries/geo/resolve.sql.

-- A session starts inside [$lookback_start, $until) only if one of its records lies there:
-- the candidates are found by ts (the scan skips row groups by their ts statistics), then all
-- of their records are read, wherever they lie, so a session's facts are whole. Unbounded
-- (a full audit): every session, with no candidate step.
-- Audit by arrival (nightly, docs/nightly.md): sessions with a record in a file ingested
-- after $late_after_file_id are candidates too, whatever their time.
CREATE OR REPLACE TEMP TABLE audit_scope AS
SELECT DISTINCT session_id FROM connections
WHERE ($lookback_start::TIMESTAMPTZ IS NOT NULL OR $until::TIMESTAMPTZ IS NOT NULL)
  AND ($lookback_start::TIMESTAMPTZ IS NULL OR ts >= $lookback_start::TIMESTAMPTZ)
  AND ($until::TIMESTAMPTZ IS NULL OR ts < $until::TIMESTAMPTZ)
UNION
SELECT DISTINCT session_id FROM connections
WHERE $late_after_file_id::BIGINT IS NOT NULL AND file_id > $late_after_file_id::BIGINT;

CREATE OR REPLACE TEMP TABLE audit_session_facts AS
WITH keyed AS (
  SELECT c.*, ra_time_order(c.ts, c.file_id, c.line_no, c.part, o.ts_span, o.line_span, o.part_span) AS ord
  FROM connections c, audit_order_spans o
  WHERE ($lookback_start::TIMESTAMPTZ IS NULL AND $until::TIMESTAMPTZ IS NULL)
     OR c.session_id IN (SELECT session_id FROM audit_scope)
)
SELECT session_id,
  min(ts) AS session_start,
  max(ts) AS session_end,
  min(ord) AS first_ord,
  arg_min(client_country, ord) FILTER (WHERE client_country IS NOT NULL) AS declared_country,
  arg_min(account_id, ord) FILTER (WHERE account_id IS NOT NULL) AS account_id,
  arg_min(meeting_id, ord) FILTER (WHERE meeting_id IS NOT NULL) AS meeting_id,
  arg_min(user_id, ord) FILTER (WHERE user_id IS NOT NULL) AS user_id,
  arg_min(client_ip, ord) FILTER (WHERE client_ip IS NOT NULL) AS client_ip,
  count(*) AS attempts,
  bool_or(outcome = 'connected') AS connected,
  -- arg_max_null: a NULL dc_ip or tier is the last attempt's, not a reason to look further back.
  arg_max(dc_id, ord) FILTER (WHERE outcome = 'connected') AS last_connected_dc_id,
  arg_max_null(dc_ip, ord) FILTER (WHERE outcome = 'connected') AS last_connected_dc_ip,
  arg_max_null(tier, ord) FILTER (WHERE outcome = 'connected') AS last_connected_logged_tier,
  -- late: started before the window, and a record of it arrived after the watermark.
  coalesce(min(ts) < $since::TIMESTAMPTZ AND bool_or(file_id > $late_after_file_id::BIGINT), false) AS late,
  ($since::TIMESTAMPTZ IS NULL OR min(ts) >= $since::TIMESTAMPTZ OR late) AS in_window
FROM keyed
GROUP BY session_id
HAVING ($lookback_start::TIMESTAMPTZ IS NULL OR min(ts) >= $lookback_start::TIMESTAMPTZ OR late)
   AND ($until::TIMESTAMPTZ IS NULL OR min(ts) < $until::TIMESTAMPTZ);
