-- What the fast line reader produced, to compare with the file's own line and byte counts.
SELECT count(*) AS lines, coalesce(sum(strlen(coalesce(line, ''))), 0) AS text_bytes FROM staged_lines;
