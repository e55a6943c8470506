-- The time order spans from the cluster's largest ids (queries/clickhouse/order-maxima.sql), as
-- queries/audit/order-spans.sql takes them from a DuckDB database's own.
CREATE OR REPLACE TEMP TABLE audit_order_spans AS
WITH maxima AS (
  SELECT coalesce($max_part::BIGINT, 0)::HUGEINT + 1 AS part_span, coalesce($max_line_no::BIGINT, 0)::HUGEINT + 1 AS lines,
         coalesce($max_file_id::BIGINT, 0)::HUGEINT + 1 AS files
)
SELECT part_span, lines * part_span AS line_span, files * lines * part_span AS ts_span FROM maxima;
