-- The files of sources that lack something, for the cluster's partial_files; none: the
-- session lacks are empty without asking the cluster.
CREATE OR REPLACE TEMP TABLE mirror_out AS
SELECT file_id FROM ingested_files WHERE len(coalesce(lacks, [])) > 0;
