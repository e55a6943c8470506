-- The addresses to look up: the sessions' first client_ip, and every dc_ip the attempts scan
-- will read (dc-placement.sql places an attempt no id or name places by its address: a catalog
-- network, else the geo country), so both sides resolve in one lookup. The dc_ip come from
-- audit_logged_pairs (logged-pairs.sql), whose bound is the scan's own. An address of a record
-- outside the audited sessions is looked up for nothing, which is cheaper than finding out.
CREATE OR REPLACE TEMP TABLE geo_lookup AS
SELECT client_ip AS ip FROM audit_session_facts WHERE client_ip IS NOT NULL
UNION
SELECT dc_ip FROM audit_logged_pairs WHERE dc_ip IS NOT NULL;
