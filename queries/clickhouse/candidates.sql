-- The sessions whose attempts come home (docs/clickhouse.md, "What comes home"): every in-window
-- session of session-facts.sql's scope except the routine ones (the lookback's sessions come home
-- as facts only, as queries/audit/attempts.sql reads the window's only). A session is routine when it declares a
-- client_country, every attempt of it is of a routine class for that country (routine_classes:
-- a catalog datacenter outside every fenced region, on the country's region's routing list, of
-- effective tier primary), it is not late, and its account has no data-routing rule. No session
-- rule can find anything in a routine session (docs/detections.md), and what the audit's counts
-- need of it is in its facts. An attempt of no routine class joins an empty list: not routine.
DROP TEMPORARY TABLE IF EXISTS candidate_sessions;
CREATE TEMPORARY TABLE candidate_sessions (session_id String) ENGINE = Memory;
INSERT INTO candidate_sessions
SELECT session_id FROM (
  SELECT session_id,
    min(ts_us) AS start_us,
    argMinIf(client_country, (ts_us, file_id, line_no, part), isNotNull(client_country)) AS declared_country,
    argMinIf(account_id, (ts_us, file_id, line_no, part), isNotNull(account_id)) AS account_id,
    groupArray(countries) AS attempt_countries,
    ifNull(min(ts_us) < $since_us, 0) AND ifNull(max(file_id > $late_after_file_id), 0) AS late
  FROM {{db}}.{{connections}}
  GLOBAL ANY LEFT JOIN routine_classes USING (dc_id, dc_ip_null, dc_ip_value, tier_null, tier_value)
  WHERE file_id GLOBAL IN (SELECT file_id FROM committed_files)
    AND session_id IN (
      SELECT session_id FROM {{db}}.{{connections_local}}
      WHERE (ifNull(ts_us >= $since_us, 1) AND ifNull(ts_us < $until_us, 1))
         OR ifNull(file_id > $late_after_file_id, 0))
  GROUP BY session_id
  HAVING (ifNull(start_us >= $lookback_start_us, 1) OR late) AND (ifNull(start_us >= $since_us, 1) OR late)
    AND ifNull(start_us < $until_us, 1)
    AND NOT (isNotNull(declared_country) AND NOT late
             AND arrayAll(c -> has(c, assumeNotNull(declared_country)), attempt_countries)
             AND NOT (isNotNull(account_id) AND assumeNotNull(account_id) GLOBAL IN (SELECT account_id FROM rule_accounts)))
)
SETTINGS distributed_group_by_no_merge = 1;
