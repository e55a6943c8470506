-- Step 1 of the lookup: every address of geo_lookup (one row per distinct `ip` text) with
-- its key (macros.sql) and the special-purpose block containing it (special-ranges.sql),
-- by an ASOF join. Then lookup-needed.sql says whether any address needs the geo
-- database, and resolve.sql (step 2) looks those up.
CREATE OR REPLACE TEMP TABLE geo_lookup_keys AS
SELECT k.ip, k.ip_key, CASE WHEN k.ip_key <= sp.range_end THEN sp.reason END AS special_reason
FROM ra_ip_keys('geo_lookup') k
ASOF LEFT JOIN geo_special_ranges sp ON k.ip_key >= sp.range_start;
