-- What the sources of a session's records cannot show (ingested_files.lacks, docs/sources.md),
-- and those sources: only the records of such files are read (the join's few file ids let the
-- scan skip every other row group), so native logs cost nothing here. client-sessions.sql adds them
-- to audit_sessions ([] for a session without such records).
CREATE OR REPLACE TEMP TABLE audit_session_lacks AS
WITH partial_files AS (
  SELECT file_id, source, lacks FROM ingested_files WHERE len(coalesce(lacks, [])) > 0
)
SELECT c.session_id, list_sort(list_distinct(flatten(list(p.lacks)))) AS lacks,
  list_sort(list_distinct(list(p.source))) AS partial_sources
FROM connections c JOIN partial_files p ON p.file_id = c.file_id
GROUP BY c.session_id;
