-- At the end of a ClickHouse run: the working copy's attempts, rejects and duplicates go, so the
-- history file stays small (the next run brings what it needs again). The registry copy stays
-- until then; clickhouse_mirror keeps the DuckDB engine from reading the rest.
DELETE FROM connections;
DELETE FROM rejects;
DELETE FROM duplicates;
