-- Every disclosure this agency makes, one row per request (with each child's fields),
-- written by the subgraph before its response leaves. Each row carries the hash of the
-- row before it, hash = sha256(prev_hash | at | caller_sub | nhs_numbers | entry), so that editing,
-- deleting or reordering a row is detectable (`npm run audit -- verify`). The entry is
-- kept as the JSON text that was hashed. The service role may append and read; the
-- chain is extended only through service.append_audit, which serialises appends.
CREATE SCHEMA IF NOT EXISTS service;

CREATE TABLE service.audit_log (
  seq        bigint PRIMARY KEY,
  at         timestamptz NOT NULL,
  caller_sub text,
  -- The children the disclosure was about, for finding a child's rows.
  nhs_numbers text[] NOT NULL DEFAULT '{}',
  entry      text NOT NULL,
  prev_hash  text NOT NULL,
  hash       text NOT NULL
);
CREATE INDEX audit_log_child ON service.audit_log USING gin (nhs_numbers);
CREATE INDEX audit_log_caller ON service.audit_log (caller_sub, seq);

-- The entries as JSON, with their time: what readers use.
CREATE VIEW service.audit_entry AS
  SELECT seq, at, caller_sub, nhs_numbers,
         entry::jsonb || jsonb_build_object('at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')) AS entry,
         prev_hash, hash
    FROM service.audit_log;

CREATE FUNCTION service.audit_hash(prev text, at timestamptz, caller_sub text, nhs_numbers text[], entry text) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(
      prev || '|' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '|' || coalesce(caller_sub, '') || '|' || array_to_string(nhs_numbers, ',') || '|' || entry,
      'UTF8')), 'hex') $$;

-- Appends a batch in one statement: the chain is computed in order under a lock, then
-- the rows are inserted together.
-- children: each entry's NHS numbers, comma-separated.
CREATE FUNCTION service.append_audit(caller_subs text[], children text[], entries text[]) RETURNS integer LANGUAGE plpgsql AS $$
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
  SELECT seq, hash INTO last_seq, last_hash FROM service.audit_log ORDER BY seq DESC LIMIT 1;
  IF last_seq IS NULL THEN
    last_seq := 0;
    last_hash := repeat('0', 64);
  END IF;
  FOR i IN 1..n LOOP
    prevs[i] := last_hash;
    numbers := string_to_array(coalesce(children[i], ''), ',');
    last_hash := service.audit_hash(last_hash, stamp, caller_subs[i], numbers, entries[i]);
    hashes[i] := last_hash;
  END LOOP;
  INSERT INTO service.audit_log (seq, at, caller_sub, nhs_numbers, entry, prev_hash, hash)
    SELECT last_seq + u.ord, stamp, u.sub, string_to_array(coalesce(u.children, ''), ','), u.entry, u.prev, u.hash
      FROM unnest(caller_subs, children, entries, prevs, hashes) WITH ORDINALITY AS u(sub, children, entry, prev, hash, ord);
  RETURN n;
END $$;
