-- A caseload's row names hundreds of children. With GIN's pending list (fastupdate), those
-- keys pile up until one append, holding the chain's lock, merges them all into the index,
-- and the agency's other appends wait behind it. Without it, each append indexes its own
-- children as it goes, at a cost proportional to its own row.
ALTER INDEX service.audit_log_child SET (fastupdate = off);
