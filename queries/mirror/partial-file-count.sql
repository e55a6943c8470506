-- How many files of partial sources the registry holds (mirror/partial-files.sql's rows).
SELECT count(*) AS n FROM mirror_out;
