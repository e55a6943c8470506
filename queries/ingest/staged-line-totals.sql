-- What the fast line reader produced, to compare with the file's own line and byte counts.
-- raw_bytes is each line's text length, as the fast readers staged it.
SELECT count(*) AS lines, coalesce(sum(raw_bytes), 0) AS text_bytes FROM staged_lines;
