-- Drops the staged records of the batch's files at $file_pos: files refused whole (no record has
-- a required field), which store nothing.
DELETE FROM staged_records WHERE list_contains($file_pos::INTEGER[], file_pos);
