-- The name and address keys in PL/pgSQL. Written in SQL with a subquery (001), neither could be
-- inlined, and PostgreSQL ran each call as a function of its own, planned again every time: about
-- 60 µs a call, and matching joins a child's keys to every record of a small table by hashing
-- each record's keys (a police force's 103 people cost 12 ms a branch, for one child). PL/pgSQL
-- keeps its expressions prepared: a few microseconds a call. The values are the same (the unit
-- test compares them with shared/matching/blocking-keys.ts), so the indexes on them stay valid.
CREATE OR REPLACE FUNCTION service.match_name_key(name text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  n text := regexp_replace(lower(name), '[^a-z]', '', 'g');
BEGIN
  IF n = '' THEN
    RETURN NULL;
  END IF;
  RETURN left(n, 1) || left(replace(substr(regexp_replace(translate(left(n, 1) || regexp_replace(substr(n, 2), '[hw]', '', 'g'),
    'abcdefghijklmnopqrstuvwxyz', '01230120022455012623010202'), '(.)\1+', '\1', 'g'), 2), '0', ''), 3);
END
$$;

CREATE OR REPLACE FUNCTION service.match_address_key(line text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  r text := regexp_replace(lower(line), '^\s*(flat|unit|apartment|apt)\s*[0-9a-z]*[\s,]*', '');
  w text := substring(r FROM '[a-z]+');
BEGIN
  IF w IS NULL THEN
    RETURN NULL;
  END IF;
  RETURN coalesce(substring(r FROM '[0-9]+'), '') || '|' || service.match_name_key(w);
END
$$;
