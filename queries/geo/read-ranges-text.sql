-- One range CSV read as text: each of first and last is a decimal number (as in
-- read-ranges.sql) or an IP address; a first row whose first value is neither is a
-- header. Bad values keep a NULL key and are reported by range-problems.sql.
CREATE OR REPLACE TEMP TABLE geo_range_rows AS
SELECT row_number() OVER () AS row_no, first_text, last_text, country
FROM read_csv($path::VARCHAR, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"',
  columns = {'first_text': 'VARCHAR', 'last_text': 'VARCHAR', 'country': 'VARCHAR'});

CREATE OR REPLACE TEMP TABLE geo_range_texts AS
SELECT DISTINCT ip FROM (SELECT first_text AS ip FROM geo_range_rows UNION ALL SELECT last_text FROM geo_range_rows)
WHERE ip IS NOT NULL;

CREATE OR REPLACE TEMP TABLE geo_range_text_keys AS
SELECT t.ip,
  CASE WHEN regexp_full_match(t.ip, '\s*[0-9]{1,39}\s*') THEN try_cast(t.ip AS UHUGEINT) END AS number,
  k.ip_key
FROM geo_range_texts t JOIN ra_ip_keys('geo_range_texts') k USING (ip);

INSERT INTO geo_range_keyed
SELECT $file_index::INTEGER, r.row_no, r.first_text, r.last_text, upper(trim(r.country)),
  CASE WHEN f.number < 4294967296 THEN ra_ipv4_base() + f.number ELSE coalesce(f.number, f.ip_key) END,
  CASE WHEN l.number < 4294967296 THEN ra_ipv4_base() + l.number ELSE coalesce(l.number, l.ip_key) END
FROM geo_range_rows r
LEFT JOIN geo_range_text_keys f ON f.ip = r.first_text
LEFT JOIN geo_range_text_keys l ON l.ip = r.last_text;

DROP TABLE geo_range_rows;
DROP TABLE geo_range_texts;
DROP TABLE geo_range_text_keys;
