-- IP address text to a 128-bit key, in SQL (docs/geo.md). Defined once per connection.
--
-- Keys live in one IPv6-sized space: an IPv6 address is its own 128-bit number and an
-- IPv4 address a.b.c.d is the IPv4-mapped ::ffff:a.b.c.d, so '1.2.3.4' and
-- '::ffff:1.2.3.4' are the same key and one ASOF join serves both families.
--
-- The parsing is staged (one CTE column per step, in ra_ip_keys) rather than one
-- nested macro: DuckDB inlines macros, and nesting them multiplies the expression
-- tree until planning alone takes seconds. Each scalar macro below takes a column.

-- 2^48 - 2^32: the key of ::ffff:0.0.0.0, where IPv4 addresses begin.
CREATE OR REPLACE TEMP MACRO ra_ipv4_base() AS 281470681743360::UHUGEINT;

-- Dotted quad to its 32-bit number; NULL unless four decimal octets 0-255 without
-- leading zeros (010.1.1.1 is octal to some parsers and decimal to others).
CREATE OR REPLACE TEMP MACRO ra_ipv4_number(s) AS
  CASE WHEN regexp_full_match(s, '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}')
    THEN split_part(s, '.', 1)::UBIGINT * 16777216 + split_part(s, '.', 2)::UBIGINT * 65536
       + split_part(s, '.', 3)::UBIGINT * 256 + split_part(s, '.', 4)::UBIGINT
  END;

-- How many groups an IPv6 text spells out ('::' excluded).
CREATE OR REPLACE TEMP MACRO ra_ipv6_groups(s) AS
  length(s) - length(replace(s, ':', '')) - starts_with(s, '::')::INTEGER - ends_with(s, '::')::INTEGER;

-- Lower-case IPv6 text (hex groups only) with '::' expanded to the missing zero groups:
-- eight groups separated by ':', or NULL when the text is not of that form.
CREATE OR REPLACE TEMP MACRO ra_ipv6_expand(s, n) AS
  CASE
    WHEN NOT regexp_full_match(s, '([0-9a-f]{1,4}(:[0-9a-f]{1,4})*)?(::([0-9a-f]{1,4}(:[0-9a-f]{1,4})*)?)?') THEN NULL
    WHEN NOT contains(s, '::') THEN CASE WHEN n = 7 THEN s END
    WHEN n > 7 THEN NULL
    ELSE trim(replace(s, '::', ':' || repeat('0:', 8 - n)), ':')
  END;

-- Eight groups to the address as 32 hex digits.
CREATE OR REPLACE TEMP MACRO ra_ipv6_hex(x) AS
  lpad(split_part(x, ':', 1), 4, '0') || lpad(split_part(x, ':', 2), 4, '0') ||
  lpad(split_part(x, ':', 3), 4, '0') || lpad(split_part(x, ':', 4), 4, '0') ||
  lpad(split_part(x, ':', 5), 4, '0') || lpad(split_part(x, ':', 6), 4, '0') ||
  lpad(split_part(x, ':', 7), 4, '0') || lpad(split_part(x, ':', 8), 4, '0');

-- 32 hex digits to the 128-bit key (DuckDB casts hex text to at most 64 bits at a time).
CREATE OR REPLACE TEMP MACRO ra_hex_key(h) AS
  (('0x' || h[1:16])::UBIGINT::UHUGEINT << 64) | ('0x' || h[17:32])::UBIGINT::UHUGEINT;

-- Every row of the table named t (a column `ip VARCHAR`) with its key, NULL when the
-- text is not an IP address. Accepted: dotted-quad IPv4; IPv6 in any case with one
-- '::' at most, a dotted-quad tail (::ffff:1.2.3.4) and a zone (fe80::1%eth0, the zone
-- ignored); surrounding spaces. Not accepted: ports, brackets, prefixes (/24),
-- leading zeros in IPv4 octets, other IPv4 shorthands (1.2.3, 0x01020304).
CREATE OR REPLACE TEMP MACRO ra_ip_keys(t) AS TABLE
  WITH norm AS (
    SELECT ip, lower(trim(ip)) AS s FROM query_table(t)
  ),
  family AS (
    SELECT ip, s, contains(s, ':') AS v6,
      CASE WHEN contains(s, ':') THEN regexp_replace(s, '%.*$', '') END AS t6
    FROM norm
  ),
  tail AS (
    SELECT *, CASE WHEN contains(t6, '.') THEN ra_ipv4_number(regexp_extract(t6, '[^:]*$')) END AS tail_number
    FROM family
  ),
  hexed AS (
    SELECT *,
      CASE WHEN contains(t6, '.')
        THEN regexp_replace(t6, '[^:]*$', '') || printf('%x:%x', tail_number // 65536, tail_number % 65536)
        ELSE t6 END AS h6
    FROM tail
  ),
  expanded AS (
    SELECT *, ra_ipv6_expand(h6, ra_ipv6_groups(h6)) AS x6 FROM hexed
  )
  SELECT ip,
    CASE WHEN v6 THEN ra_hex_key(ra_ipv6_hex(x6)) ELSE ra_ipv4_base() + ra_ipv4_number(s) END AS ip_key
  FROM expanded;
