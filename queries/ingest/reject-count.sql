SELECT count(*) AS total FROM rejects;
