-- Replaces this run's history rows; incidents come as parallel lists.
DELETE FROM audit_run_incidents WHERE run_id = $run_id;
DELETE FROM audit_runs WHERE run_id = $run_id;
INSERT INTO audit_runs VALUES ($run_id, $policy_path, $policy_sha256, $since::TIMESTAMPTZ, $until::TIMESTAMPTZ,
  $generated_at::TIMESTAMPTZ, $previous_run_id);
INSERT INTO audit_run_incidents
SELECT $run_id, unnest($incident_ids), unnest($rules), unnest($client_regions), unnest($dc_regions),
  unnest($severities), unnest($first_seens)::TIMESTAMPTZ, unnest($last_seens)::TIMESTAMPTZ,
  unnest($session_counts)::BIGINT;
