-- Typed, validated records from staged_fields. A record with any problem gets a
-- reason naming every failing field; the others get reason NULL.
CREATE OR REPLACE TEMP TABLE staged_records AS
WITH raw_fields AS (
  SELECT line_no, raw, raw_bytes, problem, t,
    v[1] AS ts_raw, v[2] AS session_id, v[3] AS dc_id, lower(trim(v[4])) AS outcome_raw,
    lower(trim(nullif(v[5], ''))) AS tier_raw, trim(nullif(v[6], '')) AS attempt_raw,
    trim(nullif(v[7], '')) AS latency_raw, nullif(v[8], '') AS account_id,
    nullif(v[9], '') AS meeting_id, nullif(v[10], '') AS user_id, nullif(trim(v[11]), '') AS client_ip,
    upper(trim(nullif(v[12], ''))) AS country_raw, lower(trim(nullif(v[13], ''))) AS traffic_raw
  FROM staged_fields
),
typed AS (
  SELECT *,
    ra_parse_ts(trim(ts_raw)) AS ts,
    CASE WHEN regexp_full_match(attempt_raw, '[0-9]{1,9}') THEN attempt_raw::INTEGER END AS attempt,
    CASE WHEN regexp_full_match(latency_raw, '[0-9]{1,9}') THEN latency_raw::INTEGER END AS latency_ms
  FROM raw_fields
)
SELECT line_no, raw, raw_bytes,
  CASE WHEN problem IS NOT NULL THEN problem ELSE nullif(concat_ws('; ',
    CASE WHEN list_has_any(t, ['OBJECT', 'ARRAY']) THEN
      'fields must be strings or numbers, found an object or array in: ' ||
      array_to_string(list_filter($fields, (f, i) -> t[i] IN ('OBJECT', 'ARRAY')), ', ') END,
    CASE WHEN ts_raw IS NULL OR trim(ts_raw) = '' THEN 'missing required field "ts"'
         WHEN ts IS NULL AND regexp_full_match(trim(ts_raw), '[0-9]{1,11}')
           THEN 'ts: ' || ra_shown(ts_raw) || ' looks like epoch seconds; expected epoch milliseconds or ISO-8601'
         WHEN ts IS NULL THEN 'ts: cannot parse ' || ra_shown(ts_raw) || ' as ISO-8601 or epoch milliseconds' END,
    CASE WHEN session_id IS NULL OR session_id = '' THEN 'missing required field "session_id"' END,
    CASE WHEN dc_id IS NULL OR dc_id = '' THEN 'missing required field "dc_id"' END,
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
  ts, session_id, dc_id, outcome_raw AS outcome, tier_raw AS tier, attempt, latency_ms,
  account_id, meeting_id, user_id, client_ip, country_raw AS client_country, traffic_raw AS traffic
FROM typed;
