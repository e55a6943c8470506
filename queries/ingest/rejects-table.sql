-- Whether the database has a rejects table: the rejects command opens it read-only and creates nothing.
SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'rejects';
