-- The first bad rows of a geo database's range CSVs, for the error message. A file's
-- first row without a first address is its header, not a problem.
WITH checked AS (
  SELECT file_index, row_no,
    CASE
      WHEN row_no = 1 AND first_key IS NULL THEN NULL
      WHEN first_key IS NULL THEN 'first address ' || coalesce('"' || left(first_text, 60) || '"', 'missing') || ' is neither a number nor an IP address'
      WHEN last_key IS NULL THEN 'last address ' || coalesce('"' || left(last_text, 60) || '"', 'missing') || ' is neither a number nor an IP address'
      WHEN (first_key >> 32 = ra_ipv4_base() >> 32) <> (last_key >> 32 = ra_ipv4_base() >> 32)
        THEN 'first and last address are of different families (IPv4 numbers are below 2^32)'
      WHEN first_key > last_key THEN 'the first address is after the last'
      WHEN country IS NULL OR NOT regexp_full_match(country, '[A-Z]{2}')
        THEN 'country ' || coalesce('"' || left(country, 60) || '"', 'missing') || ' is not an ISO-3166 alpha-2 code'
    END AS problem
  FROM geo_range_keyed
)
SELECT file_index, row_no, problem
FROM checked
WHERE problem IS NOT NULL
ORDER BY file_index, row_no
LIMIT 5;
