-- No geo database (--no-geo, or no address to look up): an empty geo_ranges, so that
-- resolve.sql still classifies invalid and special-purpose addresses.
CREATE OR REPLACE TEMP TABLE geo_ranges (range_start UHUGEINT, range_end UHUGEINT, country VARCHAR);
