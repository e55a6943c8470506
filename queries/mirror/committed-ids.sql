-- The registry entries of the run's copy (mirror/registry.sql, plus the files this run
-- committed): the files the audit reads in the cluster.
CREATE OR REPLACE TEMP TABLE mirror_out AS SELECT file_id FROM ingested_files;
