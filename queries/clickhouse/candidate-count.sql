-- How many sessions come home whole (the run's ClickHouse note, docs/clickhouse.md).
SELECT toInt64(uniqExact(session_id)) AS candidates FROM candidate_sessions
