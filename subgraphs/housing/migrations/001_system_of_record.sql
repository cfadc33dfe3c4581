-- The landlord's housing management system: properties, tenancies, the people in
-- each household, and anti-social behaviour cases. It holds no NHS numbers.
CREATE SCHEMA IF NOT EXISTS records;

CREATE TABLE records.landlord (
  landlord_id  text PRIMARY KEY,
  name         text NOT NULL
);

CREATE TABLE records.property (
  property_ref text PRIMARY KEY,
  line1        text NOT NULL,
  town         text NOT NULL,
  postcode     text NOT NULL
);

CREATE TABLE records.tenancy (
  tenancy_ref      text PRIMARY KEY,
  property_ref     text NOT NULL REFERENCES records.property (property_ref),
  landlord_id      text NOT NULL REFERENCES records.landlord (landlord_id),
  tenancy_type     text NOT NULL,
  start_date       date NOT NULL,
  end_date         date,
  temporary_accommodation boolean NOT NULL DEFAULT false,
  arrears_pence    integer NOT NULL DEFAULT 0
);

CREATE TABLE records.household_member (
  member_ref     text PRIMARY KEY,
  tenancy_ref    text NOT NULL REFERENCES records.tenancy (tenancy_ref),
  given_name     text NOT NULL,
  family_name    text NOT NULL,
  date_of_birth  date,
  relationship   text NOT NULL,
  -- where the member was recorded as living; stale when the family has moved
  postcode       text NOT NULL
);
CREATE INDEX household_member_match ON records.household_member (lower(family_name), date_of_birth, (replace(upper(postcode), ' ', '')));
CREATE INDEX household_member_tenancy ON records.household_member (tenancy_ref);

CREATE TABLE records.asb_case (
  case_ref     text PRIMARY KEY,
  tenancy_ref  text NOT NULL REFERENCES records.tenancy (tenancy_ref),
  opened_on    date NOT NULL,
  category     text NOT NULL
);
CREATE INDEX asb_case_tenancy ON records.asb_case (tenancy_ref);
