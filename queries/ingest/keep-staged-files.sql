-- Keeps the staged lines of the batch's files at $file_pos only (the others are already
-- ingested, or left for after the batch: src/ingest/batch.ts).
DELETE FROM staged_lines WHERE file_pos NOT IN (SELECT unnest($file_pos::INTEGER[]));
