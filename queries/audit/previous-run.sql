-- The latest earlier-or-equal window audited with the same policy file, other than this
-- run itself (a re-run replaces its own row): named in the reports as the run before.
-- watermark_file_id: the latest nightly run's, for audit by arrival (docs/nightly.md).
SELECT
  (SELECT run_id FROM audit_runs
    WHERE policy_path = $policy_path AND run_id <> $run_id
      AND ($until::TIMESTAMPTZ IS NULL OR until <= $until::TIMESTAMPTZ)
    ORDER BY until DESC, generated_at DESC LIMIT 1) AS run_id,
  (SELECT watermark_file_id FROM audit_runs
    WHERE policy_path = $policy_path AND run_id <> $run_id AND kind = 'nightly'
      AND ($until::TIMESTAMPTZ IS NULL OR until <= $until::TIMESTAMPTZ)
    ORDER BY until DESC, generated_at DESC LIMIT 1) AS watermark_file_id;
