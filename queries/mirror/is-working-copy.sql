-- Whether this DuckDB database is the ClickHouse engine's working copy (mirror/reset.sql): its
-- tables hold only what one run brought from the cluster, so the DuckDB engine must not read it.
SELECT EXISTS (SELECT 1 FROM duckdb_tables() WHERE table_name = 'clickhouse_mirror') AS working_copy;
