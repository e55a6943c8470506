-- The working copy of stored records is done with once a file is published: the next file's
-- probe brings what it needs from the cluster again.
DELETE FROM connections;
