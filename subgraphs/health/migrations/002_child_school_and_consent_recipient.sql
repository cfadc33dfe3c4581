-- The school each child attends, as the child health record shows it (school
-- nursing and the health visitor hand-over keep it up to date), and, on each
-- consent to share, the organisation it was given for: a school's URN, a
-- practice's ODS code. The subgraph only reads these tables.
CREATE TABLE records.child_school (
  nhs_number  text PRIMARY KEY,
  school_urn  text NOT NULL
);

ALTER TABLE records.sharing_consent ADD COLUMN recipient_org text;
