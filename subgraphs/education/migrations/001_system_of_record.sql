-- The education system of record, shaped as a school management information
-- system and its census returns: schools and their contacts, pupils on roll,
-- attendance totals for each academic year, and exclusions. The subgraph only
-- reads these tables.
CREATE SCHEMA IF NOT EXISTS records;

CREATE TABLE records.school (
  urn    text PRIMARY KEY CHECK (urn ~ '^[0-9]{6}$'),
  name   text NOT NULL,
  phase  text NOT NULL
);

CREATE TABLE records.school_contact (
  urn           text NOT NULL REFERENCES records.school (urn),
  -- 'DSL' designated safeguarding lead, 'HEAD' headteacher, 'SENCO' SEN coordinator
  contact_role  text NOT NULL,
  name          text NOT NULL,
  phone         text NOT NULL
);
CREATE INDEX school_contact_role ON records.school_contact (urn, contact_role);

CREATE TABLE records.pupil (
  -- unique pupil number: one per pupil for their whole school career
  upn            text PRIMARY KEY,
  nhs_number     text NOT NULL CHECK (nhs_number ~ '^[0-9]{10}$'),
  urn            text NOT NULL REFERENCES records.school (urn),
  on_roll_from   date NOT NULL,
  -- NULL while the pupil is on roll
  left_on        date,
  -- DfE SEN provision: 'N' none, 'K' SEN support, 'E' education, health and care plan
  sen_provision  char(1) NOT NULL DEFAULT 'N' CHECK (sen_provision IN ('N', 'K', 'E')),
  fsm_eligible   boolean NOT NULL DEFAULT false
);
CREATE INDEX pupil_nhs_number ON records.pupil (nhs_number);
CREATE INDEX pupil_on_roll ON records.pupil (nhs_number) WHERE left_on IS NULL;

CREATE TABLE records.attendance_summary (
  upn                    text NOT NULL REFERENCES records.pupil (upn),
  -- as the census writes it: '2025/26'
  academic_year          text NOT NULL CHECK (academic_year ~ '^[0-9]{4}/[0-9]{2}$'),
  possible_sessions      integer NOT NULL CHECK (possible_sessions >= 0),
  attended_sessions      integer NOT NULL CHECK (attended_sessions >= 0),
  unauthorised_sessions  integer NOT NULL CHECK (unauthorised_sessions >= 0),
  PRIMARY KEY (upn, academic_year),
  CHECK (attended_sessions <= possible_sessions AND unauthorised_sessions <= possible_sessions)
);

CREATE TABLE records.exclusion (
  exclusion_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  upn           text NOT NULL REFERENCES records.pupil (upn),
  start_date    date NOT NULL,
  category      text NOT NULL CHECK (category IN ('SUSPENSION', 'PERMANENT')),
  days          integer NOT NULL CHECK (days >= 0)
);
CREATE INDEX exclusion_upn ON records.exclusion (upn, start_date DESC);
