-- The classes of routine attempts (queries/audit/routine-classes.sql) and the accounts under
-- data-routing rules, each filled by an insert of the local rows.
DROP TEMPORARY TABLE IF EXISTS routine_classes;
CREATE TEMPORARY TABLE routine_classes (
  dc_id String, dc_ip_null UInt8, dc_ip_value String, tier_null UInt8, tier_value String, countries Array(String)
) ENGINE = Memory;
DROP TEMPORARY TABLE IF EXISTS rule_accounts;
CREATE TEMPORARY TABLE rule_accounts (account_id String) ENGINE = Memory;
