SELECT coalesce(sum(num_rows), 0) AS row_count FROM parquet_file_metadata($path);
