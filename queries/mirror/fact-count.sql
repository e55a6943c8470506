-- How many sessions' facts came home (the run's ClickHouse note).
SELECT count(*) AS n FROM audit_session_facts;
