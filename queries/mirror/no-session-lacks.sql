-- No file of a partial source: no session lacks anything.
CREATE OR REPLACE TEMP TABLE audit_session_lacks (session_id VARCHAR, lacks VARCHAR[], partial_sources VARCHAR[]);
