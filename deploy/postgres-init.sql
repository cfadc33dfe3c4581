-- Run once by the postgres image on first start (mounted into /docker-entrypoint-initdb.d/).
-- One database per agency: each subgraph migrates and seeds only its own.
CREATE DATABASE identity;
CREATE DATABASE health;
CREATE DATABASE socialcare;
CREATE DATABASE housing;
CREATE DATABASE education;
