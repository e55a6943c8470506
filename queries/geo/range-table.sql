-- The rows of a geo database's range CSVs with their first and last address as
-- 128-bit keys (docs/geo.md), before validation. *_text are kept only for rows read
-- as text, for messages.
CREATE OR REPLACE TEMP TABLE geo_range_keyed (
  file_index  INTEGER NOT NULL,
  row_no      BIGINT NOT NULL,
  first_text  VARCHAR,
  last_text   VARCHAR,
  country     VARCHAR,
  first_key   UHUGEINT,
  last_key    UHUGEINT
);
