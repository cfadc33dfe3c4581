-- Matching children to the people the force knows (the subgraph kit's record matching): each block of the
-- kit's blocking keys is found by index, never by a scan.
CREATE INDEX person_dob ON records.person (date_of_birth);
CREATE INDEX person_postcode_key ON records.person (service.match_postcode(postcode));
CREATE INDEX person_given_key ON records.person (service.match_name_key(given_name), date_of_birth);
CREATE INDEX person_family_key ON records.person (service.match_name_key(family_name), date_of_birth);
CREATE INDEX person_names_key ON records.person (service.match_name_key(given_name), service.match_name_key(family_name));
CREATE INDEX person_sector ON records.person (service.match_sector(postcode), date_of_birth);
CREATE INDEX person_address_key ON records.person (service.match_address_key(line1));
