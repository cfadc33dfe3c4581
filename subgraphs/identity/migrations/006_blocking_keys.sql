-- Blocking for fuzzy search (shared/matching/blocking.ts): a child is a candidate when they share
-- the date of birth searched for (or with day and month swapped), a postcode of any address they
-- have had, or any two of: the given name's code, the family name's code, the month of birth, a
-- postcode sector. The key functions are the subgraph kit's (shared/kit/record-matching/migrations/blocking,
-- applied before this agency's migrations); the indexes below find each block without a scan.
CREATE INDEX patient_given_key ON records.patient (service.match_name_key(given_name), date_of_birth);
CREATE INDEX patient_family_key ON records.patient (service.match_name_key(family_name), date_of_birth);
CREATE INDEX patient_names_key ON records.patient (service.match_name_key(given_name), service.match_name_key(family_name));
CREATE INDEX patient_address_postcode_key ON records.patient_address (service.match_postcode(postcode));
CREATE INDEX patient_address_sector ON records.patient_address (service.match_sector(postcode));
