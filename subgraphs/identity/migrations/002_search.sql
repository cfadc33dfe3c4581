-- Fuzzy search blocks candidates on date of birth (as given, or with day and month swapped).
CREATE INDEX patient_dob ON records.patient (date_of_birth);

-- Every practitioner search, with its parameters, as ContactPoint recorded them: who, why, in which
-- request, what they searched for and how many children were returned. Written by the service role.
CREATE SCHEMA IF NOT EXISTS service;
CREATE TABLE service.search_log (
  id           bigserial PRIMARY KEY,
  searched_at  timestamptz NOT NULL DEFAULT now(),
  trace_id     text NOT NULL,
  caller_sub   text NOT NULL,
  caller_name  text NOT NULL,
  caller_roles text NOT NULL,
  caller_org   text NOT NULL,
  purpose      text NOT NULL,
  fuzzy        boolean NOT NULL,
  parameters   jsonb NOT NULL,
  results      integer NOT NULL
);

-- A candidate's previous addresses, for fuzzy search: the whole history by NHS number.
CREATE INDEX patient_address_history ON records.patient_address (nhs_number);
