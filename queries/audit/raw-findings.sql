-- Session detections insert into this table; every detection selects these columns.
CREATE OR REPLACE TEMP TABLE audit_raw_findings (
  session_id        VARCHAR NOT NULL,
  rule              VARCHAR NOT NULL,
  severity          VARCHAR NOT NULL,
  dc_id             VARCHAR NOT NULL,
  dc_region         VARCHAR NOT NULL,
  evidence_file_id  BIGINT NOT NULL,
  evidence_line_no  BIGINT NOT NULL,
  evidence_part     INTEGER NOT NULL,
  detail            VARCHAR NOT NULL
);
