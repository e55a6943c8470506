-- Whether any stored record lies in the time range of the file's valid records (lo and hi,
-- from field-presence.sql): only then can a record equal a stored one (stored-matches.sql). The bounds are bound back in as
-- constants, so that the scan of connections skips row groups by their ts statistics.
SELECT $lo::TIMESTAMPTZ IS NOT NULL AND EXISTS (
  SELECT 1 FROM connections WHERE ts BETWEEN $lo::TIMESTAMPTZ AND $hi::TIMESTAMPTZ) AS overlaps;
