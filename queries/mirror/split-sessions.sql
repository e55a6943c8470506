-- A session whose records are on two shards comes back as two fact rows (each shard aggregates
-- its own, docs/clickhouse.md): that happens only when the cluster's shards or their weights
-- changed after records were stored. One such session is enough to refuse the audit.
SELECT count(*) - count(DISTINCT session_id) AS n, min(session_id) FILTER (WHERE session_id IN (
  SELECT session_id FROM audit_session_facts GROUP BY session_id HAVING count(*) > 1)) AS example
FROM audit_session_facts;
