-- The postcode sector as one expression, so that PostgreSQL inlines the function into the queries
-- that call it. Written with a subquery (001), it ran as a function call of its own each time,
-- about 45 µs a row: matching a 500-child caseload against a landlord's households compares
-- sectors on some 20,000 joined rows, and took over a second of PostgreSQL's time for that
-- alone. The value is the same for every postcode (all but the last two characters of the
-- normalised postcode, when it has at least four), so the indexes on it stay valid.
CREATE OR REPLACE FUNCTION service.match_sector(postcode text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT substring(upper(regexp_replace(postcode, '[^0-9A-Za-z]', '', 'g')) FROM '^(.{2,})..$')
$$;
