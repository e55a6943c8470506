INSERT OR REPLACE INTO file_stat_cache VALUES ($absolute_path, $stat_key, $content_sha256);
