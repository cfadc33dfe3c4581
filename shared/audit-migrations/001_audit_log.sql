-- Every disclosure this agency makes, one row per child per request, written by the
-- subgraph before its response leaves. Each row carries the hash of the row before it
-- (hash = sha256(prev_hash | entry)), so that editing, deleting or reordering a row is
-- detectable (`npm run audit -- verify`). The service role may append and read; the
-- chain is extended only through service.append_audit, which serialises appends.
CREATE SCHEMA IF NOT EXISTS service;

CREATE TABLE service.audit_log (
  seq        bigint PRIMARY KEY,
  entry      jsonb NOT NULL,
  prev_hash  text NOT NULL,
  hash       text NOT NULL
);
CREATE INDEX audit_log_child ON service.audit_log ((entry->>'nhsNumber'), seq);
CREATE INDEX audit_log_caller ON service.audit_log ((entry->'caller'->>'sub'), seq);

CREATE FUNCTION service.audit_hash(prev text, entry jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT encode(sha256(convert_to(prev || '|' || entry::text, 'UTF8')), 'hex') $$;

CREATE FUNCTION service.append_audit(entries jsonb) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  last_seq bigint;
  last_hash text;
  e jsonb;
  stamped jsonb;
  n integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(7310002);
  SELECT seq, hash INTO last_seq, last_hash FROM service.audit_log ORDER BY seq DESC LIMIT 1;
  IF last_seq IS NULL THEN
    last_seq := 0;
    last_hash := repeat('0', 64);
  END IF;
  FOR e IN SELECT value FROM jsonb_array_elements(entries) LOOP
    last_seq := last_seq + 1;
    stamped := e || jsonb_build_object('at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'));
    INSERT INTO service.audit_log (seq, entry, prev_hash, hash) VALUES (last_seq, stamped, last_hash, service.audit_hash(last_hash, stamped));
    last_hash := service.audit_hash(last_hash, stamped);
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;
