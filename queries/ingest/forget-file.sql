-- Removes a replaceable entry (replaceable-entry.sql) and its rejects, inside the transaction
-- that stores the new reading of the same content: the lines are then counted once, as read now.
DELETE FROM rejects WHERE file_id = $file_id;
DELETE FROM duplicates WHERE file_id = $file_id;
DELETE FROM ingested_files WHERE file_id = $file_id;
