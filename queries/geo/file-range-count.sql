-- Rows read from one range file (an empty file is a mistake, not a database of no ranges).
SELECT count(*) AS rows FROM geo_range_keyed WHERE file_index = $file_index::INTEGER;
