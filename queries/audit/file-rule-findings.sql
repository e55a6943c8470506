-- Files one session rule's rows (audit_rule_rows: the result of its query in
-- queries/detections/) as findings, with the rule's id and severity from its header:
-- $raised_severity where its `raised` column is true, else $severity. A rule whose header
-- names nothing that raises it selects no `raised` column; it is added here as false.
ALTER TABLE audit_rule_rows ADD COLUMN IF NOT EXISTS raised BOOLEAN DEFAULT false;

INSERT INTO audit_raw_findings BY NAME
SELECT $rule AS rule, CASE WHEN raised THEN $raised_severity ELSE $severity END AS severity, * EXCLUDE (raised)
FROM audit_rule_rows;

DROP TABLE audit_rule_rows;
