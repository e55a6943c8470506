-- Sessions, derived once per audit and shared by every detection (docs/detections.md),
-- step 1 of 2: what each session's records say. A session is all records sharing a
-- session_id; its start is its earliest ts and it belongs to the window [$since, $until)
-- by that start. Sessions that started in the baseline lookback before the window are
-- kept too (in_window = false): only the fallback baseline reads them. Late sessions
-- (nightly: a record arrived since the last run) are in the window whatever their start.
-- Ties in ts are broken by file and line, so "first" is deterministic.
-- Between the two steps, src/detect/sessions.ts resolves geo_lookup (the sessions' first
-- client_ip and the attempts' dc_ip, distinct) to countries: queries/geo/resolve.sql.

-- The time order of records as one exact 128-bit key: ts, then file, then line, then part. The spans
-- come from the stored ids (file_id and line_no are positive), so keys cannot collide; an
-- overflow would be a DuckDB error, never a wrong order. ts is always finite (ingest accepts
-- four-digit years only), so epoch_us never gives NULL. One integer key makes "first in time
-- order" a plain arg_min.
CREATE OR REPLACE TEMP TABLE audit_order_spans AS
WITH maxima AS (
  SELECT coalesce(max(part), 0)::HUGEINT + 1 AS part_span, coalesce(max(line_no), 0)::HUGEINT + 1 AS lines,
         coalesce(max(file_id), 0)::HUGEINT + 1 AS files
  FROM connections
)
SELECT part_span, lines * part_span AS line_span, files * lines * part_span AS ts_span FROM maxima;

-- The key itself, one definition for session-facts.sql and sessions.sql (country-mismatch
-- joins the two on it). The spans are passed in from audit_order_spans.
CREATE OR REPLACE TEMP MACRO ra_time_order(t, file, line, part, ts_span, line_span, part_span) AS
  epoch_us(t)::HUGEINT * ts_span + file::HUGEINT * line_span + line::HUGEINT * part_span + part;

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
  -- late: started before the window, and a record of it arrived after the watermark.
  coalesce(min(ts) < $since::TIMESTAMPTZ AND bool_or(file_id > $late_after_file_id::BIGINT), false) AS late,
  ($since::TIMESTAMPTZ IS NULL OR min(ts) >= $since::TIMESTAMPTZ OR late) AS in_window
FROM keyed
GROUP BY session_id
HAVING ($lookback_start::TIMESTAMPTZ IS NULL OR min(ts) >= $lookback_start::TIMESTAMPTZ OR late)
   AND ($until::TIMESTAMPTZ IS NULL OR min(ts) < $until::TIMESTAMPTZ);

-- What the sources of a session's records cannot show (ingested_files.lacks, docs/sources.md),
-- and those sources: only the records of such files are read (the join's few file ids let the
-- scan skip every other row group), so native logs cost nothing here. sessions.sql adds them
-- to audit_sessions ([] for a session without such records).
CREATE OR REPLACE TEMP TABLE audit_session_lacks AS
WITH partial_files AS (
  SELECT file_id, source, lacks FROM ingested_files WHERE len(coalesce(lacks, [])) > 0
)
SELECT c.session_id, list_sort(list_distinct(flatten(list(p.lacks)))) AS lacks,
  list_sort(list_distinct(list(p.source))) AS partial_sources
FROM connections c JOIN partial_files p ON p.file_id = c.file_id
GROUP BY c.session_id;

-- The addresses to look up: the sessions' first client_ip, and every dc_ip the attempts scan
-- will read (sessions.sql places an attempt no id or name places by its address: a catalog
-- network, else the geo country), so both sides resolve in one lookup. The dc_ip bound is the
-- scan's own (scan-start.sql: the lookback, or the earliest late session's start); `dc_ip IS
-- NOT NULL` skips the row groups of logs without addresses. An address of a record outside the
-- audited sessions is looked up for nothing, which is cheaper than finding out.
CREATE OR REPLACE TEMP TABLE geo_lookup AS
SELECT client_ip AS ip FROM audit_session_facts WHERE client_ip IS NOT NULL
UNION
SELECT dc_ip FROM connections
WHERE dc_ip IS NOT NULL
  AND ($lookback_start::TIMESTAMPTZ IS NULL
       OR ts >= least($lookback_start::TIMESTAMPTZ, (SELECT min(session_start) FROM audit_session_facts WHERE late)));
