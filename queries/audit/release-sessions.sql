-- The audit's largest working tables, dropped once every query that reads them has run
-- (src/detect/audit.ts). DuckDB hands their memory back to the system
-- (allocator_background_threads, src/db/database.ts) before the findings are read into
-- JavaScript and the reports rendered, so the two peaks do not add up. The policy tables
-- (small) and geo_ranges (kept loaded per connection, src/geo/ranges.ts) stay.
DROP TABLE IF EXISTS temp.audit_attempts;
DROP TABLE IF EXISTS temp.audit_sessions;
DROP TABLE IF EXISTS temp.audit_session_facts;
DROP TABLE IF EXISTS temp.audit_session_lacks;
DROP TABLE IF EXISTS temp.audit_scope;
DROP TABLE IF EXISTS temp.audit_order_spans;
DROP TABLE IF EXISTS temp.audit_raw_findings;
DROP TABLE IF EXISTS temp.geo_lookup;
DROP TABLE IF EXISTS temp.geo_lookup_keys;
DROP TABLE IF EXISTS temp.geo_lookup_result;
DROP TABLE IF EXISTS temp.audit_dc_placement;
DROP TABLE IF EXISTS temp.audit_logged_pairs;
