-- The files a run found already ingested, for the cluster's probe_files.
CREATE OR REPLACE TEMP TABLE mirror_out AS SELECT unnest($file_ids::BIGINT[]) AS file_id;
