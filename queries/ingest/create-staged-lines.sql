-- part and shown: see records.sql and src/ingest/sources (shown: the source record's text a
-- reject shows, when line holds its translation); source_problem: why a source record cannot
-- be read (its reject reason); 0, NULL and NULL for a log line.
-- raw_bytes is the line's length in the file: its text differs when invalid UTF-8 was decoded leniently.
-- line_sha256 is set only for a line longer than the line limit, of which line holds only the start.
-- file_pos: the file's place in its batch (stage-batch-lines.sql); 0 for a file staged alone.
CREATE OR REPLACE TEMP TABLE staged_lines (line_no BIGINT, part INTEGER, shown VARCHAR, line VARCHAR, bad_utf8 BOOLEAN, raw_bytes BIGINT, line_sha256 VARCHAR, source_problem VARCHAR, file_pos INTEGER);
