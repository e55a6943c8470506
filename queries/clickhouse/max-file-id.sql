-- The highest file id any stored row uses, committed or not: a new file takes a higher one, so
-- the rows of a killed ingest (never committed) can never become part of a later file.
SELECT toInt64(max(m)) AS max_file_id FROM (
  SELECT max(file_id) AS m FROM {{db}}.{{connections}}
  UNION ALL SELECT max(file_id) FROM {{db}}.{{rejects}}
  UNION ALL SELECT max(file_id) FROM {{db}}.{{duplicates}}
  UNION ALL SELECT max(file_id) FROM {{db}}.{{files}}
  UNION ALL SELECT max(file_id) FROM {{db}}.{{retracted}}
)
