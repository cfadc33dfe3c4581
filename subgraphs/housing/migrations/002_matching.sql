-- Matching children to household members without NHS numbers: candidate blocks
-- (date of birth, or the same postcode) are found by index, never by a scan.
CREATE INDEX household_member_dob ON records.household_member (date_of_birth);
CREATE INDEX household_member_postcode ON records.household_member ((replace(upper(postcode), ' ', '')));

-- What housing records of people's decisions on its matches (service.nhs_cross_reference,
-- service.match_rejection) is the subgraph kit's record matching (shared/kit/record-matching/migrations/decisions).

CREATE INDEX property_postcode ON records.property ((replace(upper(postcode), ' ', '')));
CREATE INDEX tenancy_property ON records.tenancy (property_ref) WHERE end_date IS NULL;
