-- The local database of the ClickHouse engine (docs/clickhouse.md) keeps the audit history
-- (audit_runs, incident_ledger) and the stat cache; its connections, rejects, duplicates and
-- ingested_files are a working copy of the cluster's, emptied at the start of every run.
-- clickhouse_mirror marks it as such, so a DuckDB database holding its own logs is never emptied.
CREATE TABLE IF NOT EXISTS clickhouse_mirror (database VARCHAR NOT NULL, first_url VARCHAR NOT NULL);
DELETE FROM clickhouse_mirror;
INSERT INTO clickhouse_mirror VALUES ($database, $first_url);
DELETE FROM connections;
DELETE FROM rejects;
DELETE FROM duplicates;
DELETE FROM ingested_files;
