-- Matching children to household members without NHS numbers: candidate blocks
-- (date of birth, or the same postcode) are found by index, never by a scan.
CREATE INDEX household_member_dob ON records.household_member (date_of_birth);
CREATE INDEX household_member_postcode ON records.household_member ((replace(upper(postcode), ' ', '')));

-- What housing itself records (schema `service`, written by the subgraph's service role):
-- the NHS numbers a person has confirmed for household members, and the proposals
-- a person has rejected, so that they are not proposed again. Who decided, and when.
CREATE SCHEMA IF NOT EXISTS service;
CREATE TABLE service.nhs_cross_reference (
  member_ref      text PRIMARY KEY,
  nhs_number      text NOT NULL CHECK (nhs_number ~ '^[0-9]{10}$'),
  confirmed_by    text NOT NULL,
  confirmed_by_name text NOT NULL,
  confirmed_by_org text NOT NULL,
  purpose         text NOT NULL,
  trace_id        text NOT NULL,
  confirmed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX nhs_cross_reference_nhs ON service.nhs_cross_reference (nhs_number);

CREATE TABLE service.match_rejection (
  nhs_number      text NOT NULL CHECK (nhs_number ~ '^[0-9]{10}$'),
  member_ref      text NOT NULL,
  rejected_by     text NOT NULL,
  rejected_by_name text NOT NULL,
  rejected_by_org text NOT NULL,
  purpose         text NOT NULL,
  trace_id        text NOT NULL,
  rejected_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (nhs_number, member_ref)
);

CREATE INDEX property_postcode ON records.property ((replace(upper(postcode), ' ', '')));
CREATE INDEX tenancy_property ON records.tenancy (property_ref) WHERE end_date IS NULL;
