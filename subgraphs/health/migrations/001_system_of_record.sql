-- The GP clinical system of record, shaped as such a system's own tables:
-- practices, registrations, health visitor caseloads, immunisations, A&E
-- attendances reported back to the practice, the problem list, and consents to
-- share. The subgraph only reads these tables.
CREATE SCHEMA IF NOT EXISTS records;

CREATE TABLE records.practice (
  ods_code  text PRIMARY KEY,
  name      text NOT NULL,
  phone     text NOT NULL
);

-- A registration ends when deregistered_on is set; at most one is current.
CREATE TABLE records.registration (
  nhs_number       text NOT NULL,
  ods_code         text NOT NULL REFERENCES records.practice (ods_code),
  registered_on    date NOT NULL,
  deregistered_on  date
);
CREATE INDEX registration_nhs_number ON records.registration (nhs_number);
CREATE UNIQUE INDEX registration_current ON records.registration (nhs_number) WHERE deregistered_on IS NULL;

CREATE TABLE records.health_visitor (
  id     text PRIMARY KEY,
  name   text NOT NULL,
  phone  text NOT NULL
);

CREATE TABLE records.health_visitor_caseload (
  nhs_number  text NOT NULL,
  visitor_id  text NOT NULL REFERENCES records.health_visitor (id)
);
CREATE INDEX health_visitor_caseload_nhs_number ON records.health_visitor_caseload (nhs_number);

CREATE TABLE records.immunisation (
  nhs_number  text NOT NULL,
  vaccine     text NOT NULL,
  given_on    date NOT NULL
);
CREATE INDEX immunisation_nhs_number ON records.immunisation (nhs_number);

CREATE TABLE records.ed_attendance (
  nhs_number            text NOT NULL,
  attended_on           date NOT NULL,
  hospital              text NOT NULL,
  presenting_complaint  text NOT NULL
);
CREATE INDEX ed_attendance_nhs_number ON records.ed_attendance (nhs_number);

CREATE TABLE records.problem (
  nhs_number   text NOT NULL,
  description  text NOT NULL,
  onset_date   date NOT NULL
);
CREATE INDEX problem_nhs_number ON records.problem (nhs_number);

-- Consent the child (or a person with parental responsibility) gave to share
-- part of the record: recipient_type such as 'school', scope such as 'conditions'.
CREATE TABLE records.sharing_consent (
  nhs_number      text NOT NULL,
  recipient_type  text NOT NULL,
  scope           text NOT NULL,
  recorded_on     date NOT NULL
);
CREATE INDEX sharing_consent_nhs_number ON records.sharing_consent (nhs_number);
