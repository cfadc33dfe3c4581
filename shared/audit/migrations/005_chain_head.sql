-- The chain's head: the number and hash of the newest row, in a one-row table that
-- append_audit reads and moves under its lock. Before, each append found the newest row
-- with "ORDER BY seq DESC LIMIT 1", whose plan a session keeps from its first append:
-- a plan made while the log was small went on scanning the whole log at every append.
-- Reading one row costs the same however long the log grows. The head also lets verify
-- tell when the newest rows of the log have been deleted.
CREATE TABLE service.audit_head (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  seq      bigint NOT NULL,
  hash     text NOT NULL
);
-- Starts at the newest row already in the log, or at the empty chain's origin.
INSERT INTO service.audit_head (seq, hash)
  SELECT coalesce(newest.seq, 0), coalesce(newest.hash, repeat('0', 64))
    FROM (SELECT 1) AS one
    LEFT JOIN (SELECT seq, hash FROM service.audit_log ORDER BY seq DESC LIMIT 1) AS newest ON true;

CREATE OR REPLACE FUNCTION service.append_audit(caller_subs text[], children text[], entries text[]) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  last_seq bigint;
  last_hash text;
  stamp timestamptz := clock_timestamp();
  prevs text[] := '{}';
  hashes text[] := '{}';
  numbers text[];
  n integer := coalesce(array_length(entries, 1), 0);
BEGIN
  IF n = 0 THEN RETURN 0; END IF;
  PERFORM pg_advisory_xact_lock(7310002);
  SELECT seq, hash INTO last_seq, last_hash FROM service.audit_head;
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
  RETURN n;
END $$;
