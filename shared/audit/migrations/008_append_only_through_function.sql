-- The service role adds rows to the chain only through service.append_audit, which from here
-- runs with its owner's rights: the role itself may no longer insert a row (with a time or a
-- link of its own choosing) nor move the chain's head, so what it appends is always stamped by
-- the database and linked to the row before. ensureServiceRole takes INSERT on the log and
-- UPDATE on the head from the role. The search path is fixed, so that nothing the caller can
-- create is found in place of what the function names.
-- Only the service role may call it (ensureServiceRole grants it), not whoever can connect: taken from
-- PUBLIC in the same step, so that there is no moment when anyone may append with the owner's rights.
ALTER FUNCTION service.append_audit(text[], text[], text[]) SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
REVOKE EXECUTE ON FUNCTION service.append_audit(text[], text[], text[]) FROM PUBLIC;
