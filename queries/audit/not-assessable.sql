-- Per capability a source may lack (docs/sources.md): the sessions in the window whose
-- records come from a source without it, and those sources. Rules that need it are not run
-- on these sessions; the reports say so ("not assessable from this source").
SELECT capability, count(*) AS sessions, list_sort(list_distinct(flatten(list(partial_sources)))) AS sources
FROM (SELECT unnest(lacks) AS capability, partial_sources FROM audit_sessions WHERE in_window)
GROUP BY capability
ORDER BY capability;
