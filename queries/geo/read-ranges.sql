-- One range CSV of decimal numbers, `first,last,country` per row (the bundled
-- *-num.csv files): read with typed columns, the fast path. Numbers below 2^32 are
-- IPv4 (the *-ipv4-num.csv files), larger ones IPv6; the two never share a key
-- because IPv4 keys are the IPv4-mapped ::ffff:0:0/96. Any row that is not three
-- such values fails the read, and the file is read again as text
-- (read-ranges-text.sql), which accepts addresses and reports bad rows.
-- Row numbers follow file order (preserve_insertion_order is on).
INSERT INTO geo_range_keyed
SELECT $file_index::INTEGER, row_number() OVER (), NULL, NULL, upper(trim(country)),
  CASE WHEN first_number < 4294967296 THEN ra_ipv4_base() + first_number ELSE first_number END,
  CASE WHEN last_number < 4294967296 THEN ra_ipv4_base() + last_number ELSE last_number END
FROM read_csv($path::VARCHAR, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"',
  columns = {'first_number': 'UHUGEINT', 'last_number': 'UHUGEINT', 'country': 'VARCHAR'});
