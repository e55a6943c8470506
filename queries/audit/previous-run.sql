-- The run this one is compared with: the latest earlier-or-equal window audited with
-- the same policy file, other than this run itself (a re-run replaces its own row).
SELECT run_id, since, until
FROM audit_runs
WHERE policy_path = $policy_path AND run_id <> $run_id
  AND ($until::TIMESTAMPTZ IS NULL OR until <= $until::TIMESTAMPTZ)
ORDER BY until DESC, generated_at DESC
LIMIT 1;
