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
