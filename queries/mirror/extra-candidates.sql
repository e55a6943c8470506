-- Sessions only the local side can name as candidates: those whose declared client_country the
-- geo database contradicts (country-mismatch.sql reads their first attempt).
CREATE OR REPLACE TEMP TABLE mirror_out AS
SELECT session_id FROM audit_sessions WHERE in_window AND declared_country <> ip_country;
