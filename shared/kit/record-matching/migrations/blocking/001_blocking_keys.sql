-- The subgraph kit's blocking keys (shared/matching/blocking.ts), for every agency that matches or
-- searches on demographics: a record is a candidate for a child when they share the date of birth
-- (or with day and month swapped), a postcode, or any two of: the given name's code, the family
-- name's code, the month of birth, the postcode sector, the address key. These functions compute
-- the codes exactly as shared/matching/blocking-keys.ts does; each agency indexes its own tables
-- on them, so that each block is found without a scan.
CREATE SCHEMA IF NOT EXISTS service;
CREATE OR REPLACE FUNCTION service.match_name_key(name text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN n = '' THEN NULL ELSE
    left(n, 1) || left(replace(substr(regexp_replace(translate(left(n, 1) || regexp_replace(substr(n, 2), '[hw]', '', 'g'),
      'abcdefghijklmnopqrstuvwxyz', '01230120022455012623010202'), '(.)\1+', '\1', 'g'), 2), '0', ''), 3) END
  FROM (SELECT regexp_replace(lower(name), '[^a-z]', '', 'g') AS n) AS s
$$;

CREATE OR REPLACE FUNCTION service.match_postcode(postcode text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT nullif(upper(regexp_replace(postcode, '[^0-9A-Za-z]', '', 'g')), '')
$$;

CREATE OR REPLACE FUNCTION service.match_sector(postcode text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN length(p) >= 4 THEN left(p, length(p) - 2) END FROM (SELECT service.match_postcode(postcode) AS p) AS s
$$;

CREATE OR REPLACE FUNCTION service.match_address_key(line text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN w IS NOT NULL THEN coalesce(substring(r FROM '[0-9]+'), '') || '|' || service.match_name_key(w) END
    FROM (SELECT r, substring(r FROM '[a-z]+') AS w
            FROM (SELECT regexp_replace(lower(line), '^\s*(flat|unit|apartment|apt)\s*[0-9a-z]*[\s,]*', '') AS r) AS a) AS b
$$;

