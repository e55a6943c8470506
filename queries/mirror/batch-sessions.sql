-- The sessions of the records this file would store, for the cluster's duplicate probe.
CREATE OR REPLACE TEMP TABLE mirror_out AS
SELECT DISTINCT session_id FROM staged_records WHERE reason IS NULL;
