-- geo_ranges: the database as non-overlapping [range_start, range_end] key intervals,
-- so that one ASOF join finds the range of each address (resolve.sql).
--
-- Published range files nest ranges: a /29 from a provider's geofeed inside the /22
-- its registry lists, for example. Where ranges overlap, the key space is cut at
-- every boundary of those ranges into elementary segments, and each segment takes
-- the country of the range containing it that starts last (the narrowest, on equal
-- starts): for nested ranges, the most specific one. Ranges that overlap no other
-- (nearly all) are kept as they are, so only the few overlapping ones are cut.
CREATE OR REPLACE TEMP TABLE geo_flat_input AS
SELECT first_key AS s, last_key AS e, country,
  coalesce(lead(first_key) OVER w <= last_key, false)
    OR coalesce(max(last_key) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) >= first_key, false) AS overlapping
FROM geo_range_keyed
WHERE first_key IS NOT NULL AND last_key IS NOT NULL -- only a header row, once range-problems.sql found nothing
WINDOW w AS (ORDER BY first_key, last_key);

CREATE OR REPLACE TEMP TABLE geo_flat_overlapping AS
SELECT s, e, country FROM geo_flat_input WHERE overlapping;

CREATE OR REPLACE TEMP TABLE geo_flat_segments AS
WITH points AS (
  SELECT s AS p FROM geo_flat_overlapping
  UNION
  SELECT e + 1 FROM geo_flat_overlapping WHERE e < 340282366920938463463374607431768211455::UHUGEINT
)
SELECT p AS seg_start, lead(p) OVER (ORDER BY p) - 1 AS seg_end FROM points;

CREATE OR REPLACE TEMP TABLE geo_ranges AS
WITH segment_country AS (
  SELECT g.seg_start, g.seg_end, max(o.e) AS last_end, first(o.country ORDER BY o.s DESC, o.e) AS country
  FROM geo_flat_segments g
  JOIN geo_flat_overlapping o ON o.s <= g.seg_start AND o.e >= g.seg_start
  GROUP BY g.seg_start, g.seg_end
)
SELECT s AS range_start, e AS range_end, country FROM geo_flat_input WHERE NOT overlapping
UNION ALL
SELECT seg_start, coalesce(seg_end, last_end), country FROM segment_country;

DROP TABLE geo_flat_input;
DROP TABLE geo_flat_overlapping;
DROP TABLE geo_flat_segments;
DROP TABLE geo_range_keyed;
