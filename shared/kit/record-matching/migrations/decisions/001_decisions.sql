-- What an agency that holds no NHS number records of people's decisions on its matches (the subgraph
-- kit's record matching, written by the subgraph's service role): the NHS numbers a person has
-- confirmed for the agency's records, and the proposals a person has rejected, so that they are not
-- proposed again. Who decided, for what purpose, in which request, and when. `reference` is the
-- agency's own reference for the person it holds.
CREATE SCHEMA IF NOT EXISTS service;
CREATE TABLE IF NOT EXISTS service.nhs_cross_reference (
  reference         text PRIMARY KEY,
  nhs_number        text NOT NULL CHECK (nhs_number ~ '^[0-9]{10}$'),
  confirmed_by      text NOT NULL,
  confirmed_by_name text NOT NULL,
  confirmed_by_org  text NOT NULL,
  purpose           text NOT NULL,
  trace_id          text NOT NULL,
  confirmed_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS nhs_cross_reference_nhs ON service.nhs_cross_reference (nhs_number);

CREATE TABLE IF NOT EXISTS service.match_rejection (
  nhs_number        text NOT NULL CHECK (nhs_number ~ '^[0-9]{10}$'),
  reference         text NOT NULL,
  rejected_by       text NOT NULL,
  rejected_by_name  text NOT NULL,
  rejected_by_org   text NOT NULL,
  purpose           text NOT NULL,
  trace_id          text NOT NULL,
  rejected_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (nhs_number, reference)
);
