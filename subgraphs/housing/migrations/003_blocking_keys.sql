-- Blocking for matching (shared/matching/blocking.ts): a household member is a candidate for a
-- child when they share the date of birth (or with day and month swapped), a postcode, or any
-- two of: the given name's code, the family name's code, the month of birth, the postcode sector,
-- the address key. The key functions are the subgraph kit's (shared/kit/record-matching/migrations/blocking,
-- applied before this agency's migrations); the indexes below find each block without a scan.
CREATE INDEX household_member_given_key ON records.household_member (service.match_name_key(given_name), date_of_birth);
CREATE INDEX household_member_family_key ON records.household_member (service.match_name_key(family_name), date_of_birth);
CREATE INDEX household_member_names_key ON records.household_member (service.match_name_key(given_name), service.match_name_key(family_name));
CREATE INDEX household_member_postcode_key ON records.household_member (service.match_postcode(postcode));
CREATE INDEX household_member_sector ON records.household_member (service.match_sector(postcode), date_of_birth);
CREATE INDEX property_postcode_key ON records.property (service.match_postcode(postcode));
CREATE INDEX property_sector ON records.property (service.match_sector(postcode));
CREATE INDEX property_address_key ON records.property (service.match_address_key(line1));
CREATE INDEX tenancy_current ON records.tenancy (tenancy_ref) WHERE end_date IS NULL;
