-- With --clickhouse-cluster: on every node, a Distributed table over each local table.
-- Attempts are sharded by session, so every record of a session is on one shard and the
-- per-session scans (session-facts.sql, candidates.sql) aggregate on each shard alone; the
-- registry, rejects and duplicates are sharded by file.
CREATE TABLE IF NOT EXISTS {{db}}.{{connections}} AS {{db}}.{{connections_local}}
  ENGINE = Distributed({{cluster}}, {{db}}, {{connections_local}}, sipHash64(session_id));
CREATE TABLE IF NOT EXISTS {{db}}.{{rejects}} AS {{db}}.{{rejects_local}}
  ENGINE = Distributed({{cluster}}, {{db}}, {{rejects_local}}, file_id);
CREATE TABLE IF NOT EXISTS {{db}}.{{duplicates}} AS {{db}}.{{duplicates_local}}
  ENGINE = Distributed({{cluster}}, {{db}}, {{duplicates_local}}, file_id);
CREATE TABLE IF NOT EXISTS {{db}}.{{files}} AS {{db}}.{{files_local}}
  ENGINE = Distributed({{cluster}}, {{db}}, {{files_local}}, file_id);
CREATE TABLE IF NOT EXISTS {{db}}.{{retracted}} AS {{db}}.{{retracted_local}}
  ENGINE = Distributed({{cluster}}, {{db}}, {{retracted_local}}, file_id);
