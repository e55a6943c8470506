-- Session facts, pushed down: queries/audit/session-facts.sql in the dialect of ClickHouse 18.16
-- and later (docs/clickhouse.md). Attempts are sharded by session, so each shard aggregates its
-- own sessions whole (distributed_group_by_no_merge) and the scope subquery reads the shard's
-- local table. An unbounded $…_us is NULL: ifNull(comparison, 1) keeps every row, as the DuckDB
-- query's `$x IS NULL OR …` does. "First" is the least (ts, file, line, part), the time order,
-- and "last" the greatest.
SELECT session_id, start_us, end_us,
  tupleElement(first_key, 1) AS first_ts_us, tupleElement(first_key, 2) AS first_file_id,
  tupleElement(first_key, 3) AS first_line_no, tupleElement(first_key, 4) AS first_part,
  declared_country, account_id, meeting_id, user_id, client_ip, attempts, connected, late,
  tupleElement(last_connected, 1) AS last_connected_dc_id, tupleElement(last_connected, 2) AS last_connected_dc_ip,
  tupleElement(last_connected, 3) AS last_connected_logged_tier,
  ifNull(start_us >= $since_us, 1) OR late AS in_window
FROM (
  SELECT session_id,
    min(ts_us) AS start_us,
    max(ts_us) AS end_us,
    min((ts_us, file_id, line_no, part)) AS first_key,
    argMinIf(client_country, (ts_us, file_id, line_no, part), isNotNull(client_country)) AS declared_country,
    argMinIf(account_id, (ts_us, file_id, line_no, part), isNotNull(account_id)) AS account_id,
    argMinIf(meeting_id, (ts_us, file_id, line_no, part), isNotNull(meeting_id)) AS meeting_id,
    argMinIf(user_id, (ts_us, file_id, line_no, part), isNotNull(user_id)) AS user_id,
    argMinIf(client_ip, (ts_us, file_id, line_no, part), isNotNull(client_ip)) AS client_ip,
    count() AS attempts,
    max(outcome = 'connected') AS connected,
    -- A tuple keeps a NULL dc_ip or tier as the last attempt's; it means nothing when the session
    -- never connected (mirror/session-facts.sql makes it NULL then).
    argMaxIf(tuple(dc_id, dc_ip, tier), (ts_us, file_id, line_no, part), outcome = 'connected') AS last_connected,
    ifNull(min(ts_us) < $since_us, 0) AND ifNull(max(file_id > $late_after_file_id), 0) AS late
  FROM {{db}}.{{connections}}
  WHERE file_id GLOBAL IN (SELECT file_id FROM committed_files)
    AND session_id IN (
      SELECT session_id FROM {{db}}.{{connections_local}}
      WHERE (ifNull(ts_us >= $lookback_start_us, 1) AND ifNull(ts_us < $until_us, 1))
         OR ifNull(file_id > $late_after_file_id, 0))
  GROUP BY session_id
  HAVING (ifNull(start_us >= $lookback_start_us, 1) OR late) AND ifNull(start_us < $until_us, 1)
)
SETTINGS distributed_group_by_no_merge = 1
