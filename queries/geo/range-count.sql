SELECT count(*) AS ranges FROM geo_ranges;
