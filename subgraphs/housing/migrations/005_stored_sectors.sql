-- Each household member's and each property's postcode sector, stored with the row. Matching
-- compares the sector of every candidate a name or a month of birth finds, on the member's
-- postcode and on the property's: with 100,000 children a 500-child caseload finds some 550,000
-- such rows, and working the sector out of each postcode there and then took PostgreSQL five of
-- the match's six seconds. Stored, it is read, not computed.
ALTER TABLE records.household_member ADD COLUMN postcode_sector text GENERATED ALWAYS AS (service.match_sector(postcode)) STORED;
ALTER TABLE records.property ADD COLUMN postcode_sector text GENERATED ALWAYS AS (service.match_sector(postcode)) STORED;
