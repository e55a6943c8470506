-- Whole UTC days around the audited sessions, for a window given without an end.
SELECT strftime(date_trunc('day', min(session_start)), '%Y-%m-%dT%H:%M:%S.000Z') AS first_day,
       strftime(date_trunc('day', max(session_start)) + INTERVAL 1 DAY, '%Y-%m-%dT%H:%M:%S.000Z') AS end_day
FROM audit_sessions
WHERE in_window;
