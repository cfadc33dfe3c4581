-- A caseload's row names hundreds of children. With GIN's pending list (fastupdate), those
-- keys pile up and some later append, holding the chain's lock, pays for merging them all
-- into the index: every agency's disclosures then wait behind it. Without it, each append
-- indexes its own children as it goes, a cost proportional to its own row.
ALTER INDEX service.audit_log_child SET (fastupdate = off);
