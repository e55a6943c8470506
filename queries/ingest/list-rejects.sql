SELECT f.path, r.line_no, r.reason, r.raw
FROM rejects r JOIN ingested_files f USING (file_id)
ORDER BY r.file_id, r.line_no
LIMIT $limit;
