-- The service role adds rows to the chain only through service.append_audit, which from here
-- runs with its owner's rights: the role itself may no longer insert a row (with a time or a
-- link of its own choosing) nor move the chain's head, so what it appends is always stamped by
-- the database and linked to the row before. ensureServiceRole takes INSERT on the log and
-- UPDATE on the head from the role. The search path is fixed, so that nothing the caller can
-- create is found in place of what the function names.
ALTER FUNCTION service.append_audit(text[], text[], text[]) SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
