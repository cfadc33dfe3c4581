import { join } from 'node:path';
import {
  createListLoader,
  defineRecordMatching,
  MATCHING_SQL,
  normalisePostcode,
  readMatchingDeclaration,
  type CandidateRow,
  type Database,
  type Demographics,
  type Match,
  type MatchSettings,
} from '../../shared';

/** A household member found for a child, with their tenancy. */
export interface HouseholdCandidate extends CandidateRow {
  given_name: string;
  family_name: string;
  date_of_birth: string | null;
  member_postcode: string;
  tenancy_ref: string;
  tenancy_type: string;
  start_date: string;
  temporary_accommodation: boolean;
  arrears_pence: number;
  landlord: string;
  line1: string;
  town: string;
  postcode: string;
}

/** A household member as matching compares them: the household lives at the tenancy's property; the member may be recorded at an earlier postcode. */
export function householdMemberDemographics(member: {
  given: string;
  family: string;
  dateOfBirth: string | null;
  memberPostcode: string;
  line1: string;
  town: string;
  postcode: string;
}): Demographics {
  return {
    given: member.given,
    family: member.family,
    dateOfBirth: member.dateOfBirth,
    addresses: [
      { lines: [member.line1], town: member.town, postcode: member.postcode },
      ...(normalisePostcode(member.memberPostcode) === normalisePostcode(member.postcode) ? [] : [{ postcode: member.memberPostcode }]),
    ],
  };
}

/** Household members the landlord records as an adult of the household: never the child, whatever their name. */
const ADULT_RELATIONSHIPS = ['parent', 'partner of parent', 'partner', 'spouse', 'tenant', 'lead tenant', 'joint tenant'];

/** Current household members with their tenancy's property, for joining a candidate member to its block. */
const member = (on: string) => `records.household_member m ON true JOIN records.tenancy t ON t.tenancy_ref = m.tenancy_ref AND t.end_date IS NULL
             JOIN records.property p ON p.property_ref = t.property_ref AND (${on})`;
const inMonth = MATCHING_SQL.inMonth('m.date_of_birth');
const sector = '(m.postcode_sector = k.sector OR p.postcode_sector = k.sector)';

/**
 * Finds each child's household in one statement for the whole batch:
 * candidates are the current household members in any of the child's blocks
 * (the rules of shared/matching/blocking.ts, each found by index), or already
 * confirmed as this child; the kit scores and decides. A member the landlord
 * records as a parent or partner is an adult, and no candidate (their date of
 * birth, which would tell, is often not held).
 */
function findCandidates(db: Database, parameters: unknown[]): Promise<HouseholdCandidate[]> {
  return db.query<HouseholdCandidate>(
    `WITH ${MATCHING_SQL.keys}, c AS (
       SELECT k.key, k.nhs, m.member_ref AS reference FROM k JOIN records.household_member m ON m.date_of_birth = k.dob OR m.date_of_birth = k.dob_swapped
       UNION SELECT k.key, k.nhs, m.member_ref FROM k JOIN records.household_member m ON service.match_postcode(m.postcode) = k.postcode
       UNION SELECT k.key, k.nhs, m.member_ref FROM k JOIN records.property p ON service.match_postcode(p.postcode) = k.postcode
               JOIN records.tenancy t ON t.property_ref = p.property_ref AND t.end_date IS NULL JOIN records.household_member m ON m.tenancy_ref = t.tenancy_ref
       UNION SELECT k.key, k.nhs, m.member_ref FROM k JOIN records.household_member m
               ON (service.match_name_key(m.given_name) = k.gk AND service.match_name_key(m.family_name) = k.fk)
               OR (service.match_name_key(m.given_name) = k.fk AND service.match_name_key(m.family_name) = k.gk)
       UNION SELECT k.key, k.nhs, m.member_ref FROM k JOIN records.household_member m ON service.match_name_key(m.given_name) = k.gk AND ${inMonth}
       UNION SELECT k.key, k.nhs, m.member_ref FROM k JOIN records.household_member m ON service.match_name_key(m.family_name) = k.fk AND ${inMonth}
       UNION SELECT k.key, k.nhs, m.member_ref FROM k JOIN ${member(`service.match_name_key(m.given_name) = k.gk AND ${sector}`)}
       UNION SELECT k.key, k.nhs, m.member_ref FROM k JOIN ${member(`service.match_name_key(m.family_name) = k.fk AND ${sector}`)}
       UNION SELECT k.key, k.nhs, m.member_ref FROM k JOIN ${member(`${inMonth} AND ${sector}`)}
       UNION SELECT k.key, k.nhs, m.member_ref FROM k JOIN ${member(`service.match_address_key(p.line1) = k.ak AND service.match_name_key(m.given_name) = k.gk`)}
       UNION SELECT k.key, k.nhs, m.member_ref FROM k JOIN ${member(`service.match_address_key(p.line1) = k.ak AND service.match_name_key(m.family_name) = k.fk`)}
       UNION SELECT k.key, k.nhs, m.member_ref FROM k JOIN ${member(`service.match_address_key(p.line1) = k.ak AND ${inMonth}`)}
       UNION SELECT k.key, k.nhs, m.member_ref FROM k JOIN ${member(`service.match_address_key(p.line1) = k.ak AND ${sector}`)}
       UNION ${MATCHING_SQL.confirmed}
     )
     SELECT c.key, m.member_ref AS reference, t.landlord_id AS holder, ${MATCHING_SQL.decisionColumns},
            m.given_name, m.family_name, m.date_of_birth::text AS date_of_birth, m.postcode AS member_postcode,
            t.tenancy_ref, t.tenancy_type, t.start_date::text AS start_date, t.temporary_accommodation, t.arrears_pence,
            l.name AS landlord, p.line1, p.town, p.postcode
       FROM c
       JOIN records.household_member m ON m.member_ref = c.reference
       JOIN records.tenancy t ON t.tenancy_ref = m.tenancy_ref AND t.end_date IS NULL
       JOIN records.property p ON p.property_ref = t.property_ref
       JOIN records.landlord l ON l.landlord_id = t.landlord_id
       ${MATCHING_SQL.decisions('m.member_ref')}
      WHERE x.nhs_number = c.nhs OR lower(m.relationship) NOT IN (${ADULT_RELATIONSHIPS.map((r) => `'${r}'`).join(', ')})`,
    parameters,
    { prepare: true },
  );
}

/** Housing's record matching: its declaration (matching.yaml) with its SQL. */
export const matching = defineRecordMatching<HouseholdCandidate>('housing', readMatchingDeclaration(join(__dirname))!, {
  candidates: findCandidates,
  demographics: (row) =>
    householdMemberDemographics({
      given: row.given_name,
      family: row.family_name,
      dateOfBirth: row.date_of_birth,
      memberPostcode: row.member_postcode,
      line1: row.line1,
      town: row.town,
      postcode: row.postcode,
    }),
  async holderOf(db, reference) {
    const [row] = await db.query<{ landlord_id: string }>(
      'SELECT t.landlord_id FROM records.household_member m JOIN records.tenancy t ON t.tenancy_ref = m.tenancy_ref WHERE m.member_ref = $1',
      [reference],
    );
    return row?.landlord_id ?? null;
  },
});

/** What housing shows of a match: the household's tenancy when matched or confirmed. */
export type HousingRecord = Match<HouseholdCandidate>;

export function createHousingLoaders(db: Database, settings?: MatchSettings) {
  return {
    match: matching.createMatchLoader(db, settings),
    household: createListLoader<string, { tenancyRef: string; name: string; relationship: string }>(
      async (refs) =>
        db.query(
          `SELECT tenancy_ref AS "tenancyRef", given_name || ' ' || family_name AS name, relationship
             FROM records.household_member WHERE tenancy_ref = ANY($1::text[]) ORDER BY tenancy_ref, member_ref`,
          [refs],
          { prepare: true },
        ),
      (r) => r.tenancyRef,
    ),
    antisocialBehaviourCases: createListLoader<string, { tenancyRef: string; date: string; category: string }>(
      async (refs) =>
        db.query(
          `SELECT tenancy_ref AS "tenancyRef", opened_on::text AS date, category
             FROM records.asb_case WHERE tenancy_ref = ANY($1::text[]) ORDER BY opened_on DESC`,
          [refs],
          { prepare: true },
        ),
      (r) => r.tenancyRef,
    ),
  };
}
export type HousingLoaders = ReturnType<typeof createHousingLoaders>;
