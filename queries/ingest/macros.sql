-- Helpers for the ingest queries, defined once per connection.

-- A value quoted for a reject reason, cut to 60 characters so a huge field cannot flood the message.
CREATE OR REPLACE TEMP MACRO ra_shown(value) AS
  '"' || left(value, 60) || CASE WHEN length(value) > 60 THEN '…' ELSE '' END || '"';

-- Epoch milliseconds or ISO-8601 (with Z, an offset, or none meaning UTC) to TIMESTAMPTZ; NULL when neither.
-- Integers below 1e11 are refused: they read as 1970-1973 and are almost always epoch seconds.
-- Only the ISO-8601 shape reaches the cast: DuckDB's cast alone also takes 'epoch',
-- 'infinity', zone names and offsets beyond 23 hours.
CREATE OR REPLACE TEMP MACRO ra_parse_ts(value) AS
  CASE
    WHEN length(value) <= 15 AND regexp_full_match(value, '[0-9]{1,15}')
      THEN CASE WHEN value::BIGINT >= 100000000000 THEN epoch_ms(value::BIGINT)::TIMESTAMPTZ END
    WHEN regexp_full_match(value, '[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?')
      THEN try_cast(value AS TIMESTAMPTZ)
  END;

-- RFC 4180 fields of one CSV line (comma separated, "" escapes a quote); NULL when quoting is malformed.
CREATE OR REPLACE TEMP MACRO ra_csv_fields(line) AS
  CASE
    WHEN regexp_full_match(line || ',', '(?:("(?:[^"]|"")*"|[^,"]*),)*')
      THEN list_transform(
        regexp_extract_all(line || ',', '("(?:[^"]|"")*"|[^,"]*),', 1),
        f -> CASE WHEN starts_with(f, '"') THEN replace(f[2:-2], '""', '"') ELSE f END)
  END;
