-- The police force's system of record, shaped as a force's incident and safeguarding records: incidents,
-- the people (children) the force knows by name, date of birth and address, the children linked to each
-- incident, and each Operation Encompass notification (Domestic Abuse Act 2021 s49A): to which school (by
-- URN) or, for a child not at school, which local authority, and when it was sent. The force holds no NHS
-- number. The subgraph only reads these tables.
CREATE SCHEMA IF NOT EXISTS records;

CREATE TABLE records.force (
  force_id  text PRIMARY KEY,
  name      text NOT NULL
);

CREATE TABLE records.incident (
  -- the force's reference, e.g. NSP-260123-0042
  incident_ref    text PRIMARY KEY,
  force_id        text NOT NULL REFERENCES records.force (force_id),
  occurred_at     timestamptz NOT NULL,
  place_line1     text NOT NULL,
  place_town      text NOT NULL,
  place_postcode  text NOT NULL,
  incident_type   text NOT NULL CHECK (incident_type IN ('DOMESTIC_ABUSE_PHYSICAL', 'DOMESTIC_ABUSE_VERBAL', 'DOMESTIC_ABUSE_COERCIVE', 'DOMESTIC_ABUSE_OTHER'))
);

CREATE TABLE records.person (
  person_ref     text PRIMARY KEY,
  force_id       text NOT NULL REFERENCES records.force (force_id),
  given_name     text NOT NULL,
  family_name    text NOT NULL,
  date_of_birth  date,
  line1          text,
  town           text,
  postcode       text
);

CREATE TABLE records.incident_child (
  incident_ref  text NOT NULL REFERENCES records.incident (incident_ref),
  person_ref    text NOT NULL REFERENCES records.person (person_ref),
  present       boolean NOT NULL,
  -- where the child was during the incident, as the attending officer recorded it
  whereabouts   text,
  -- the child's own words, when the officer recorded them
  child_voice   text,
  PRIMARY KEY (incident_ref, person_ref)
);
CREATE INDEX incident_child_person ON records.incident_child (person_ref);

CREATE TABLE records.encompass_notification (
  notification_id  text PRIMARY KEY,
  incident_ref     text NOT NULL,
  person_ref       text NOT NULL,
  school_urn       text CHECK (school_urn ~ '^[0-9]{6}$'),
  school_name      text,
  la_code          text,
  sent_at          timestamptz NOT NULL,
  FOREIGN KEY (incident_ref, person_ref) REFERENCES records.incident_child (incident_ref, person_ref),
  -- to the child's school, or (a child not at school) to the local authority: one of the two
  CHECK ((school_urn IS NULL) <> (la_code IS NULL))
);
CREATE INDEX encompass_notification_person ON records.encompass_notification (person_ref);
CREATE INDEX encompass_notification_school ON records.encompass_notification (school_urn, sent_at);
