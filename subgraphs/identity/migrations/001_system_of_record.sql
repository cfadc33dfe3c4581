-- The demographics system of record, shaped as a PDS-style store: a patient row
-- per NHS number and an address history. The subgraph only reads these tables.
CREATE SCHEMA IF NOT EXISTS records;

CREATE TABLE records.patient (
  nhs_number          text PRIMARY KEY CHECK (nhs_number ~ '^[0-9]{10}$'),
  given_name          text NOT NULL,
  family_name         text NOT NULL,
  date_of_birth       date NOT NULL,
  -- PDS administrative gender: 0 not known, 1 male, 2 female, 9 not specified
  gender_code         smallint NOT NULL,
  nhs_number_status   char(2) NOT NULL DEFAULT '01',
  -- 'S' marks a restricted (sensitive) record, as PDS does
  confidentiality     char(1)
);
CREATE INDEX patient_family_dob ON records.patient (lower(family_name), date_of_birth);

CREATE TABLE records.patient_address (
  nhs_number   text NOT NULL REFERENCES records.patient (nhs_number),
  line1        text NOT NULL,
  town         text NOT NULL,
  postcode     text NOT NULL,
  valid_from   date NOT NULL,
  valid_to     date
);
CREATE INDEX patient_address_current ON records.patient_address (nhs_number) WHERE valid_to IS NULL;
CREATE INDEX patient_address_postcode ON records.patient_address (replace(upper(postcode), ' ', ''));
