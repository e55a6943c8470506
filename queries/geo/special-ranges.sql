-- Special-purpose address blocks (IANA registries, RFC 6890 and successors): they belong
-- to no country, whatever a geo database says (published databases do list some of
-- them, e.g. documentation ranges under the registry that holds them). An address in
-- one resolves to no country, with the block's reason. The blocks do not overlap.
CREATE OR REPLACE TEMP TABLE geo_special_texts (block VARCHAR, first_ip VARCHAR, last_ip VARCHAR, reason VARCHAR);
INSERT INTO geo_special_texts VALUES
  ('0.0.0.0/8',        '0.0.0.0',       '0.255.255.255',   'unspecified'),
  ('10.0.0.0/8',       '10.0.0.0',      '10.255.255.255',  'private'),
  ('100.64.0.0/10',    '100.64.0.0',    '100.127.255.255', 'cgnat'),
  ('127.0.0.0/8',      '127.0.0.0',     '127.255.255.255', 'loopback'),
  ('169.254.0.0/16',   '169.254.0.0',   '169.254.255.255', 'link-local'),
  ('172.16.0.0/12',    '172.16.0.0',    '172.31.255.255',  'private'),
  ('192.0.0.0/24',     '192.0.0.0',     '192.0.0.255',     'reserved'),
  ('192.0.2.0/24',     '192.0.2.0',     '192.0.2.255',     'documentation'),
  ('192.168.0.0/16',   '192.168.0.0',   '192.168.255.255', 'private'),
  ('198.18.0.0/15',    '198.18.0.0',    '198.19.255.255',  'benchmarking'),
  ('198.51.100.0/24',  '198.51.100.0',  '198.51.100.255',  'documentation'),
  ('203.0.113.0/24',   '203.0.113.0',   '203.0.113.255',   'documentation'),
  ('224.0.0.0/4',      '224.0.0.0',     '239.255.255.255', 'multicast'),
  ('240.0.0.0/4',      '240.0.0.0',     '255.255.255.255', 'reserved'),
  ('::/128',           '::',            '::',              'unspecified'),
  ('::1/128',          '::1',           '::1',             'loopback'),
  ('::/96 (IPv4-compatible, deprecated)', '::2', '::ffff:ffff', 'reserved'),
  ('100::/64',         '100::',         '100::ffff:ffff:ffff:ffff', 'reserved'),
  ('2001:db8::/32',    '2001:db8::',    '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 'documentation'),
  ('3fff::/20',        '3fff::',        '3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff', 'documentation'),
  ('fc00::/7',         'fc00::',        'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'private'),
  ('fe80::/10',        'fe80::',        'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'link-local'),
  ('fec0::/10',        'fec0::',        'feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved'),
  ('ff00::/8',         'ff00::',        'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'multicast');

CREATE OR REPLACE TEMP TABLE geo_special_ips AS
SELECT first_ip AS ip FROM geo_special_texts UNION SELECT last_ip FROM geo_special_texts;

CREATE OR REPLACE TEMP TABLE geo_special_ranges AS
SELECT t.block, f.ip_key AS range_start, l.ip_key AS range_end, t.reason
FROM geo_special_texts t
JOIN ra_ip_keys('geo_special_ips') f ON f.ip = t.first_ip
JOIN ra_ip_keys('geo_special_ips') l ON l.ip = t.last_ip
ORDER BY range_start;

DROP TABLE geo_special_ips;
DROP TABLE geo_special_texts;
