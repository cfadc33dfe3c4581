-- Written by `npm run registry` from registry/index.ts: edit the registry (or this generator, tools/registry/deploy-files.ts), not this file.
-- Run once by the postgres image on first start (mounted into /docker-entrypoint-initdb.d/).
-- One database per agency: each subgraph migrates and seeds only its own.
CREATE DATABASE identity;
CREATE DATABASE health;
CREATE DATABASE socialcare;
CREATE DATABASE housing;
CREATE DATABASE education;
CREATE DATABASE police;

-- Only the logins granted it may connect to a database: `npm run migrate` grants CONNECT on an agency's
-- database to that agency's serving login alone, so a subgraph's login cannot reach another agency's records
-- (nor the server's own databases).
REVOKE CONNECT ON DATABASE identity FROM PUBLIC;
REVOKE CONNECT ON DATABASE health FROM PUBLIC;
REVOKE CONNECT ON DATABASE socialcare FROM PUBLIC;
REVOKE CONNECT ON DATABASE housing FROM PUBLIC;
REVOKE CONNECT ON DATABASE education FROM PUBLIC;
REVOKE CONNECT ON DATABASE police FROM PUBLIC;
REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;
REVOKE CONNECT ON DATABASE template1 FROM PUBLIC;
