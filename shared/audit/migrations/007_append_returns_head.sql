-- append_audit answers the chain's new head (the number and hash of the newest row it
-- appended), so that the subgraph can show it to the gateway, which keeps it in its own
-- log as a witness: a chain rewritten afterwards, however consistently, no longer
-- matches the hashes the gateway saw. The body is as in 005; only what it returns changes,
-- and a function's result type can only change by dropping it. Dropped and created again, it
-- has the default privileges (EXECUTE for PUBLIC), which is how the service role calls it.
DROP FUNCTION service.append_audit(text[], text[], text[]);

CREATE FUNCTION service.append_audit(caller_subs text[], children text[], entries text[])
  RETURNS TABLE (head_seq bigint, head_hash text) LANGUAGE plpgsql AS $$
DECLARE
  last_seq bigint;
  last_hash text;
  stamp timestamptz := clock_timestamp();
  prevs text[] := '{}';
  hashes text[] := '{}';
  numbers text[];
  n integer := coalesce(array_length(entries, 1), 0);
BEGIN
  IF n = 0 THEN RETURN; END IF;
  PERFORM pg_advisory_xact_lock(7310002);
  SELECT h.seq, h.hash INTO last_seq, last_hash FROM service.audit_head h;
  -- Without its head the chain cannot be extended: nothing is appended, so nothing is disclosed.
  IF last_seq IS NULL THEN RAISE EXCEPTION 'the audit chain has no head (service.audit_head is empty)'; END IF;
  FOR i IN 1..n LOOP
    prevs[i] := last_hash;
    numbers := string_to_array(coalesce(children[i], ''), ',');
    last_hash := service.audit_hash(last_hash, stamp, caller_subs[i], numbers, entries[i]);
    hashes[i] := last_hash;
  END LOOP;
  INSERT INTO service.audit_log (seq, at, caller_sub, nhs_numbers, entry, prev_hash, hash)
    SELECT last_seq + u.ord, stamp, u.sub, string_to_array(coalesce(u.children, ''), ','), u.entry, u.prev, u.hash
      FROM unnest(caller_subs, children, entries, prevs, hashes) WITH ORDINALITY AS u(sub, children, entry, prev, hash, ord);
  UPDATE service.audit_head SET seq = last_seq + n, hash = last_hash;
  head_seq := last_seq + n;
  head_hash := last_hash;
  RETURN NEXT;
END $$;
