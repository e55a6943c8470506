-- Step 2 of the lookup (step 1: lookup-keys.sql): geo_lookup_result(ip, ip_key, country,
-- status), one row per address of geo_lookup. One ASOF join finds the geo_ranges interval
-- containing each key (ranges.sql); a special-purpose block decides before the database.
-- status is `resolved`, a special block's reason (`private`, `documentation`, ...),
-- `invalid` (not an IP address), `not-in-database`, or `not-looked-up` when the audit runs
-- without a geo database ($geo_enabled false, geo_ranges empty).
CREATE OR REPLACE TEMP TABLE geo_lookup_result AS
WITH looked_up AS (
  SELECT k.*, CASE WHEN k.ip_key <= g.range_end THEN g.country END AS db_country
  FROM geo_lookup_keys k
  ASOF LEFT JOIN geo_ranges g ON k.ip_key >= g.range_start
)
SELECT ip, ip_key,
  CASE WHEN special_reason IS NULL THEN db_country END AS country,
  CASE
    WHEN ip_key IS NULL THEN 'invalid'
    WHEN special_reason IS NOT NULL THEN special_reason
    WHEN NOT $geo_enabled::BOOLEAN THEN 'not-looked-up'
    WHEN db_country IS NULL THEN 'not-in-database'
    ELSE 'resolved'
  END AS status
FROM looked_up;

DROP TABLE geo_lookup_keys;
