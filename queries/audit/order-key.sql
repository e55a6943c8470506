-- The time order key itself (order-spans.sql), one definition for session-facts.sql and
-- attempts.sql (country-mismatch joins the two on it). The spans are passed in from
-- audit_order_spans.
CREATE OR REPLACE TEMP MACRO ra_time_order(t, file, line, part, ts_span, line_span, part_span) AS
  epoch_us(t)::HUGEINT * ts_span + file::HUGEINT * line_span + line::HUGEINT * part_span + part;
