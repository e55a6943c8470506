-- Addresses that only the geo database can place: valid, and in no special-purpose block.
-- None: the database is not loaded (an audit of logs without public addresses pays nothing).
SELECT count(*) AS addresses FROM geo_lookup_keys WHERE ip_key IS NOT NULL AND special_reason IS NULL;
