-- The columns of one session rule's rows, so that their shape is checked before they are filed.
SELECT * FROM audit_rule_rows LIMIT 0;
