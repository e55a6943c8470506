-- geo_lookup from a bound list of address texts (tests, tools).
CREATE OR REPLACE TEMP TABLE geo_lookup AS SELECT DISTINCT unnest($ips) AS ip;
