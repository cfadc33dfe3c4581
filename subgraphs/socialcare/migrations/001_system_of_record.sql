-- The local authority's children's social care case-management system: its
-- organisation and staff, the people it holds records of, their episodes of care
-- (child in need, child protection plan, looked after), worker allocations,
-- referrals and case notes. The subgraph only reads these tables.
CREATE SCHEMA IF NOT EXISTS records;

CREATE TABLE records.local_authority (
  la_code     text PRIMARY KEY,
  name        text NOT NULL,
  duty_phone  text
);

CREATE TABLE records.team (
  team_id  text PRIMARY KEY,
  la_code  text NOT NULL REFERENCES records.local_authority (la_code),
  name     text NOT NULL
);
CREATE INDEX team_la ON records.team (la_code);

CREATE TABLE records.worker (
  worker_id  text PRIMARY KEY,
  login      text NOT NULL UNIQUE,
  name       text NOT NULL,
  phone      text,
  team_id    text NOT NULL REFERENCES records.team (team_id),
  role       text NOT NULL CHECK (role IN ('social-worker', 'team-manager'))
);
CREATE INDEX worker_team ON records.worker (team_id);

-- Case-management systems key people on their own id; the NHS number is an
-- attribute that may be missing, and is unique when present.
CREATE TABLE records.person (
  person_id   text PRIMARY KEY,
  nhs_number  text UNIQUE CHECK (nhs_number ~ '^[0-9]{10}$'),
  la_code     text NOT NULL REFERENCES records.local_authority (la_code)
);

CREATE TABLE records.episode (
  episode_id  text PRIMARY KEY,
  person_id   text NOT NULL REFERENCES records.person (person_id),
  -- CIN child in need, CPP child protection plan, LAC looked after child
  category    text NOT NULL CHECK (category IN ('CIN', 'CPP', 'LAC')),
  started_on  date NOT NULL,
  ended_on    date,
  CHECK (ended_on IS NULL OR ended_on >= started_on)
);
CREATE INDEX episode_open ON records.episode (person_id) WHERE ended_on IS NULL;

CREATE TABLE records.allocation (
  allocation_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id      text NOT NULL REFERENCES records.person (person_id),
  worker_id      text NOT NULL REFERENCES records.worker (worker_id),
  started_on     date NOT NULL,
  ended_on       date,
  CHECK (ended_on IS NULL OR ended_on >= started_on)
);
CREATE INDEX allocation_current ON records.allocation (person_id) WHERE ended_on IS NULL;

CREATE TABLE records.referral (
  referral_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id    text NOT NULL REFERENCES records.person (person_id),
  received_on  date NOT NULL,
  source       text NOT NULL,
  reason       text NOT NULL
);
CREATE INDEX referral_person ON records.referral (person_id, received_on DESC);

CREATE TABLE records.case_note (
  note_id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id         text NOT NULL REFERENCES records.person (person_id),
  written_on        date NOT NULL,
  author_worker_id  text REFERENCES records.worker (worker_id),
  body              text NOT NULL
);
CREATE INDEX case_note_person ON records.case_note (person_id, written_on DESC);
