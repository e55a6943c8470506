-- Drops the staged records of the batch's files at $file_pos: files refused whole (no record has
-- a required field), which store nothing.
DELETE FROM staged_records WHERE file_pos IN (SELECT unnest($file_pos::INTEGER[]));
