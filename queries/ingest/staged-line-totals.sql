-- What the fast line reader produced per file (file_pos 0 to $files - 1), to compare with each
-- file's own line and byte counts. raw_bytes is each line's text length, as the fast readers staged it.
SELECT f.file_pos, count(l.file_pos) AS lines, coalesce(sum(l.raw_bytes), 0) AS text_bytes
FROM range($files) AS f(file_pos)
LEFT JOIN staged_lines l ON l.file_pos = f.file_pos
GROUP BY f.file_pos
ORDER BY f.file_pos;
