-- The registry entries of the files a run read (loaded now or before), with the first
-- rejected line of each: the run's input problems are built from them (run-inputs.ts).
SELECT f.file_id, f.path, f.lines_read, f.loaded, f.duplicates, f.rejected,
  coalesce(f.gap_records, 0) AS gap_records, f.first_gap_line, f.first_gap_reason,
  r.line_no AS first_reject_line, r.reason AS first_reject_reason
FROM ingested_files f
LEFT JOIN (SELECT file_id, min(line_no) AS line_no, arg_min(reason, line_no) AS reason FROM rejects GROUP BY file_id) r USING (file_id)
WHERE list_contains($file_ids, f.file_id::VARCHAR)
ORDER BY f.file_id;
