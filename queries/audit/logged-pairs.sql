-- Every datacenter the attempts scan will read, as logged: its dc_id string and its dc_ip
-- address, as a pair (dc-placement.sql places each pair once). The bound is the scan's own
-- (scan-start.sql: the lookback, or the earliest late session's start; NULL: everything), so
-- older row groups are skipped by their ts statistics. The ClickHouse engine fills this table
-- from the cluster instead (queries/clickhouse/logged-pairs.sql).
CREATE OR REPLACE TEMP TABLE audit_logged_pairs AS
SELECT DISTINCT dc_id AS logged, dc_ip FROM connections
WHERE $scan_start::TIMESTAMPTZ IS NULL OR ts >= $scan_start::TIMESTAMPTZ;
