-- The access log's order within a family is unique, and finding the next
-- number is an index lookup instead of a scan of the family's whole log
-- (the benchmark showed reads slowing down as a family's log grew).
CREATE UNIQUE INDEX access_log_family_seq ON access_log (family_id, seq);
