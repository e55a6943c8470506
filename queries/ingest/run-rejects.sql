-- The rejected lines of the files a run read, for rejects.csv in its run folder.
SELECT f.path, r.line_no, r.reason, r.raw_bytes, r.raw
FROM rejects r
JOIN ingested_files f USING (file_id)
WHERE list_contains($file_ids, r.file_id::VARCHAR)
ORDER BY r.file_id, r.line_no;
