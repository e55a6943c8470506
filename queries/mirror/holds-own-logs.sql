-- Whether this DuckDB database holds logs of its own (it was never a ClickHouse working copy):
-- then the ClickHouse engine refuses to use it rather than empty it.
SELECT (SELECT count(*) FROM ingested_files) > 0
   AND NOT EXISTS (SELECT 1 FROM duckdb_tables() WHERE table_name = 'clickhouse_mirror') AS holds_own_logs;
