-- The accounts under data-routing rules (account-routing.sql): their sessions always come home.
CREATE OR REPLACE TEMP TABLE mirror_out AS SELECT DISTINCT account_id FROM policy_account_regions;
