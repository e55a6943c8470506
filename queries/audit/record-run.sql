-- Replaces this run's history rows and writes its ledger entries; lists come in parallel.
-- A ledger entry is replaced whole: ledger.ts computed its new state from the old one.
DELETE FROM audit_run_incidents WHERE run_id = $run_id;
DELETE FROM audit_runs WHERE run_id = $run_id;
INSERT INTO audit_runs (run_id, policy_path, policy_sha256, since, until, generated_at, previous_run_id, kind, watermark_file_id)
VALUES ($run_id, $policy_path, $policy_sha256, $since::TIMESTAMPTZ, $until::TIMESTAMPTZ,
  $generated_at::TIMESTAMPTZ, $previous_run_id, $kind, $watermark_file_id::BIGINT);
INSERT INTO audit_run_incidents
SELECT $run_id, unnest($incident_ids), unnest($rules), unnest($client_regions), unnest($dc_regions),
  unnest($severities), unnest($first_seens)::TIMESTAMPTZ, unnest($last_seens)::TIMESTAMPTZ,
  unnest($session_counts)::BIGINT;

DELETE FROM incident_ledger WHERE policy_path = $policy_path AND list_contains($ledger_ids, incident_id);
INSERT INTO incident_ledger
SELECT $policy_path, id, rule, client_region, dc_region, severity, first_seen::TIMESTAMPTZ, last_seen::TIMESTAMPTZ,
  session_count::BIGINT, CASE WHEN causes = '' THEN []::VARCHAR[] ELSE string_split(causes, ',') END,
  first_reported_at::TIMESTAMPTZ, first_reported_run, last_reported_at::TIMESTAMPTZ, last_reported_run,
  status, nullif(resolution, ''), nullif(resolved_run, ''), nullif(reopened_run, '')
FROM (SELECT unnest($ledger_ids) AS id, unnest($ledger_rules) AS rule, unnest($ledger_client_regions) AS client_region,
  unnest($ledger_dc_regions) AS dc_region, unnest($ledger_severities) AS severity, unnest($ledger_first_seens) AS first_seen,
  unnest($ledger_last_seens) AS last_seen, unnest($ledger_session_counts) AS session_count, unnest($ledger_causes) AS causes,
  unnest($ledger_first_reported_ats) AS first_reported_at, unnest($ledger_first_reported_runs) AS first_reported_run,
  unnest($ledger_last_reported_ats) AS last_reported_at, unnest($ledger_last_reported_runs) AS last_reported_run,
  unnest($ledger_statuses) AS status, unnest($ledger_resolutions) AS resolution, unnest($ledger_resolved_runs) AS resolved_run,
  unnest($ledger_reopened_runs) AS reopened_run);
