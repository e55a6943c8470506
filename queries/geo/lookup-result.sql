SELECT ip, country, status FROM geo_lookup_result ORDER BY ip;
