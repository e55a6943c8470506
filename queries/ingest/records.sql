-- Typed, validated records from staged_lines, in one pass: each line from $first_line (CSV:
-- after the header on line 1) becomes a record with reason NULL, or a reject whose reason names
-- every failing field. Nothing is copied twice: the line's text is kept only for rejects (raw:
-- its first 4096 characters, with the whole line's SHA-256 when longer). A line over
-- $max_line_bytes is a reject and is not parsed; when the exact reader (lines.ts) kept only its
-- start, line_sha256 holds the SHA-256 of the whole line.
--
-- $format picks the parser; the other one is bound but never evaluated.
--   JSON Lines (and Parquet rows staged as JSON): a line is parsed once, after json_valid, with
--   json_transform($structure) when every source is a top-level key ($flat), else with
--   json_extract_string($paths) (any JSON path, e.g. $.client.ip). Only a record with a value
--   that looks like an object or array is typed again (json_type), to refuse such values.
--   CSV: RFC 4180 fields; $positions holds, per log field, its 1-based column in the header (as
--   text; NULL when the header lacks it), and a record must have $header_width fields.
-- A staged line may hold several attempts (a source record with a path of datacenters, staged
-- by src/ingest/sources): part numbers them from 0, below 65536. file_pos is the file's place in its
-- batch (stage-batch-lines.sql; 0 alone). rec = file_pos * 2^47 + line_no * 65536 + part, one
-- BIGINT (a line number below 2^31), is the key of a staged record in the later steps
-- (file-copies.sql, commit-files.sql) and orders the batch's records as its files, one after the
-- other, do: one key keeps the anti-joins of those steps cheap.
-- missing_required: for well-formed lines, a bit per required field (ts 1, session_id 2,
-- dc_id 4, outcome 8) that has no value at all; field-presence.sql reads it.
CREATE OR REPLACE TEMP TABLE staged_records AS
WITH lines AS (
  SELECT file_pos, line_no, part, shown, line, bad_utf8, raw_bytes, line_sha256, source_problem,
    raw_bytes > $max_line_bytes AS too_long,
    source_problem IS NULL AND (line IS NULL OR regexp_full_match(line, '\s*')) AS blank
  FROM staged_lines
  WHERE line_no >= $first_line AND ($format <> 'csv' OR line_no >= 2)
),
parsed AS (
  SELECT *,
    CASE WHEN $format = 'csv' AND NOT too_long AND NOT bad_utf8 AND NOT blank THEN regexp_replace(line, '\r$', '') END AS csv_line,
    CASE WHEN $format <> 'csv' AND NOT too_long AND NOT bad_utf8 AND NOT blank AND json_valid(line) THEN line END AS json_line
  FROM lines
),
-- Each parser in a plain projection of its own: inside a CASE branch, DuckDB would evaluate
-- the repeated macro argument (the parsed struct) once per field.
extracted AS (
  SELECT *,
    ra_csv_fields(csv_line) AS csv_fields,
    json_transform(CASE WHEN $flat THEN json_line END, $structure) AS json_struct,
    json_extract_string(CASE WHEN NOT $flat THEN json_line END, $paths) AS json_list
  FROM parsed
),
shaped AS (
  SELECT file_pos, line_no, part, shown, line, raw_bytes, line_sha256,
    CASE
      WHEN source_problem IS NOT NULL THEN source_problem
      WHEN too_long THEN 'line too long: ' || raw_bytes || ' bytes, over the limit of ' || $max_line_bytes || ' bytes'
      WHEN bad_utf8 THEN 'not valid UTF-8'
      WHEN blank THEN 'blank line'
      WHEN $format = 'csv' THEN
        CASE WHEN csv_fields IS NULL THEN 'malformed CSV quoting (an unterminated or stray quote)'
             WHEN len(csv_fields) <> $header_width
               THEN 'expected ' || $header_width || ' fields as in the header, found ' || len(csv_fields) END
      WHEN json_line IS NULL THEN 'not valid JSON'
      WHEN NOT starts_with(ltrim(line), '{') THEN 'not a JSON object'
    END AS problem,
    json_struct,
    CASE WHEN $format = 'csv'
      THEN list_transform($positions, p -> CASE WHEN p IS NULL THEN NULL ELSE nullif(csv_fields[p::INTEGER], '') END)
      ELSE json_list END AS v
  FROM extracted
),
-- The raw value of each log field (LOG_FIELDS order), as separate columns: a list per line
-- costs more than the struct it would be built from.
staged_fields AS (
  SELECT file_pos, line_no, part, shown, line, raw_bytes, line_sha256, problem,
    CASE WHEN $format = 'csv' OR NOT $flat THEN v[1] ELSE struct_extract_at(json_struct, 1) END AS v1,
    CASE WHEN $format = 'csv' OR NOT $flat THEN v[2] ELSE struct_extract_at(json_struct, 2) END AS v2,
    CASE WHEN $format = 'csv' OR NOT $flat THEN v[3] ELSE struct_extract_at(json_struct, 3) END AS v3,
    CASE WHEN $format = 'csv' OR NOT $flat THEN v[4] ELSE struct_extract_at(json_struct, 4) END AS v4,
    CASE WHEN $format = 'csv' OR NOT $flat THEN v[5] ELSE struct_extract_at(json_struct, 5) END AS v5,
    CASE WHEN $format = 'csv' OR NOT $flat THEN v[6] ELSE struct_extract_at(json_struct, 6) END AS v6,
    CASE WHEN $format = 'csv' OR NOT $flat THEN v[7] ELSE struct_extract_at(json_struct, 7) END AS v7,
    CASE WHEN $format = 'csv' OR NOT $flat THEN v[8] ELSE struct_extract_at(json_struct, 8) END AS v8,
    CASE WHEN $format = 'csv' OR NOT $flat THEN v[9] ELSE struct_extract_at(json_struct, 9) END AS v9,
    CASE WHEN $format = 'csv' OR NOT $flat THEN v[10] ELSE struct_extract_at(json_struct, 10) END AS v10,
    CASE WHEN $format = 'csv' OR NOT $flat THEN v[11] ELSE struct_extract_at(json_struct, 11) END AS v11,
    CASE WHEN $format = 'csv' OR NOT $flat THEN v[12] ELSE struct_extract_at(json_struct, 12) END AS v12,
    CASE WHEN $format = 'csv' OR NOT $flat THEN v[13] ELSE struct_extract_at(json_struct, 13) END AS v13,
    CASE WHEN $format = 'csv' OR NOT $flat THEN v[14] ELSE struct_extract_at(json_struct, 14) END AS v14
  FROM shaped
),
-- t: the JSON types of the values, only for a line where some value may be an object or
-- array (a '[', or a '{' after a ':'), and one of them starts like one.
raw_fields AS (
  SELECT file_pos, line_no, part, shown, line, raw_bytes, line_sha256, problem,
    CASE WHEN problem IS NULL AND $format <> 'csv' AND (contains(line, '[') OR regexp_matches(line, ':\s*\{'))
          AND list_bool_or(list_transform([v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14], x -> x[1] IN ('{', '[')))
      THEN json_type(line, $paths) END AS t,
    CASE WHEN problem IS NULL THEN
      (CASE WHEN v1 IS NULL THEN 1 ELSE 0 END) + (CASE WHEN v2 IS NULL THEN 2 ELSE 0 END) +
      (CASE WHEN v3 IS NULL THEN 4 ELSE 0 END) + (CASE WHEN v5 IS NULL THEN 8 ELSE 0 END) END AS missing_required,
    -- Enum values already in normal form (almost all) skip lower(trim()), which copies the text.
    v1 AS ts_raw, v2 AS session_id, v3 AS dc_id, nullif(trim(v4), '') AS dc_ip,
    CASE WHEN v5 IN ('connected', 'timeout', 'refused', 'error') THEN v5 ELSE lower(trim(v5)) END AS outcome_raw,
    CASE WHEN v6 IN ('primary', 'secondary') THEN v6 ELSE lower(trim(nullif(v6, ''))) END AS tier_raw,
    trim(nullif(v7, '')) AS attempt_raw,
    trim(nullif(v8, '')) AS latency_raw, nullif(v9, '') AS account_id,
    nullif(v10, '') AS meeting_id, nullif(v11, '') AS user_id, nullif(trim(v12), '') AS client_ip,
    upper(trim(nullif(v13, ''))) AS country_raw,
    CASE WHEN v14 IN ('media', 'signaling', 'key_exchange', 'other') THEN v14 ELSE lower(trim(nullif(v14, ''))) END AS traffic_raw
  FROM staged_fields
),
typed AS (
  SELECT *,
    ra_parse_ts(trim(ts_raw)) AS ts,
    CASE WHEN regexp_full_match(attempt_raw, '[0-9]{1,9}') THEN attempt_raw::INTEGER END AS attempt,
    CASE WHEN regexp_full_match(latency_raw, '[0-9]{1,9}') THEN latency_raw::INTEGER END AS latency_ms
  FROM raw_fields
),
-- clean: a cheap test that implies every rule below passes, so that the reason (a dozen string
-- operations) is built only for the few records that may fail one. A rule added below must be
-- added here too; the reject tests catch a rule that is missing (its bad line would load).
checked AS (
  SELECT *,
    problem IS NULL AND t IS NULL AND ts IS NOT NULL AND session_id <> '' AND dc_id <> ''
      AND outcome_raw IN ('connected', 'timeout', 'refused', 'error')
      AND (tier_raw IS NULL OR tier_raw IN ('primary', 'secondary'))
      AND (dc_ip IS NULL OR regexp_full_match(dc_ip, '[0-9]{1,3}(\.[0-9]{1,3}){3}|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*'))
      AND (attempt_raw IS NULL OR attempt >= 1)
      AND (latency_raw IS NULL OR latency_ms IS NOT NULL)
      AND (country_raw IS NULL OR regexp_full_match(country_raw, '[A-Z]{2}'))
      AND (traffic_raw IS NULL OR traffic_raw IN ('media', 'signaling', 'key_exchange', 'other')) AS clean
  FROM typed
),
validated AS (
  SELECT file_pos, line_no, part, shown, line, raw_bytes, line_sha256, missing_required,
    CASE WHEN clean THEN NULL WHEN problem IS NOT NULL THEN problem ELSE nullif(concat_ws('; ',
      CASE WHEN list_has_any(t, ['OBJECT', 'ARRAY']) THEN
        'fields must be strings or numbers, found an object or array in: ' ||
        array_to_string(list_filter($fields, (f, i) -> t[i] IN ('OBJECT', 'ARRAY')), ', ') END,
      CASE WHEN ts_raw IS NULL OR trim(ts_raw) = '' THEN 'missing required field "ts"'
           WHEN ts IS NULL AND regexp_full_match(trim(ts_raw), '[0-9]{1,11}')
             THEN 'ts: ' || ra_shown(ts_raw) || ' looks like epoch seconds; expected epoch milliseconds or ISO-8601'
           WHEN ts IS NULL THEN 'ts: cannot parse ' || ra_shown(ts_raw) || ' as ISO-8601 or epoch milliseconds' END,
      CASE WHEN session_id IS NULL OR session_id = '' THEN 'missing required field "session_id"' END,
      CASE WHEN dc_id IS NULL OR dc_id = '' THEN 'missing required field "dc_id"' END,
      CASE WHEN dc_ip IS NOT NULL AND NOT regexp_full_match(dc_ip, '[0-9]{1,3}(\.[0-9]{1,3}){3}|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*')
             THEN 'dc_ip: ' || ra_shown(dc_ip) || ' is not an IPv4 or IPv6 address' END,
      CASE WHEN outcome_raw IS NULL OR outcome_raw = '' THEN 'missing required field "outcome"'
           WHEN outcome_raw NOT IN ('connected', 'timeout', 'refused', 'error')
             THEN 'outcome: ' || ra_shown(outcome_raw) || ' is not one of connected, timeout, refused, error' END,
      CASE WHEN tier_raw NOT IN ('primary', 'secondary')
             THEN 'tier: ' || ra_shown(tier_raw) || ' is not one of primary, secondary' END,
      CASE WHEN attempt_raw IS NOT NULL AND (attempt IS NULL OR attempt < 1)
             THEN 'attempt: ' || ra_shown(attempt_raw) || ' is not a whole number from 1' END,
      CASE WHEN latency_raw IS NOT NULL AND latency_ms IS NULL
             THEN 'latency_ms: ' || ra_shown(latency_raw) || ' is not a whole number of milliseconds' END,
      CASE WHEN country_raw IS NOT NULL AND NOT regexp_full_match(country_raw, '[A-Z]{2}')
             THEN 'client_country: ' || ra_shown(country_raw) || ' is not an ISO-3166 alpha-2 code' END,
      CASE WHEN traffic_raw NOT IN ('media', 'signaling', 'key_exchange', 'other')
             THEN 'traffic: ' || ra_shown(traffic_raw) || ' is not one of media, signaling, key_exchange, other' END
    ), '') END AS reason,
    ts, session_id, dc_id, dc_ip, outcome_raw AS outcome, tier_raw AS tier, attempt, latency_ms,
    account_id, meeting_id, user_id, client_ip, country_raw AS client_country, traffic_raw AS traffic
  FROM checked
)
SELECT file_pos, file_pos::BIGINT * 140737488355328 + line_no * 65536 + part AS rec, line_no, part, reason, missing_required, raw_bytes,
  CASE WHEN reason IS NOT NULL THEN CASE WHEN length(raw_line) > 4096 THEN left(raw_line, 4096) ELSE raw_line END END AS raw,
  CASE WHEN reason IS NOT NULL AND (length(raw_line) > 4096 OR line_sha256 IS NOT NULL)
    THEN coalesce(line_sha256, sha256(raw_line)) END AS raw_sha256,
  ts, session_id, dc_id, dc_ip, outcome, tier, attempt, latency_ms,
  account_id, meeting_id, user_id, client_ip, client_country, traffic
FROM (SELECT *, coalesce(shown, line) AS raw_line FROM validated);
