-- Housing's decisions on its matches are kept in the subgraph kit's tables (shared/kit/record-matching), whose
-- column for housing's own reference is `reference`. A database made before the kit held them has the same
-- tables with that column named `member_ref`: renamed here, keeping every decision. A new database has the
-- kit's tables already, and nothing changes.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'service' AND table_name = 'nhs_cross_reference' AND column_name = 'member_ref') THEN
    ALTER TABLE service.nhs_cross_reference RENAME COLUMN member_ref TO reference;
  END IF;
  IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'service' AND table_name = 'match_rejection' AND column_name = 'member_ref') THEN
    ALTER TABLE service.match_rejection RENAME COLUMN member_ref TO reference;
  END IF;
END $$;
