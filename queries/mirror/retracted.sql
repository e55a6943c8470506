-- The entry a new reading replaces (replaceable-entry.sql), for the cluster's retracted table.
CREATE OR REPLACE TEMP TABLE mirror_retracted AS SELECT $file_id::BIGINT AS file_id;
