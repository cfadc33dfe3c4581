import {
  addressKey, ConfigError, createListLoader, createRowLoader, decideMatch, DEFAULT_THRESHOLDS as MATCHING_THRESHOLDS, env, nameKey, normaliseDate,
  normalisePostcode, postcodeSector, readEnv, swapDayAndMonth, type Database, type Demographics, type Env, type MatchThresholds,
} from '../../shared';

/** What the gateway hands housing about a child, through `@requires`. */
export interface ChildDemographics {
  nhsNumber: string;
  name?: { given?: string | null; family?: string | null } | null;
  dateOfBirth?: string | null;
  /** Identity's current address; `line1` and `town` are matched on when the representation carries them. */
  address?: { line1?: string | null; town?: string | null; postcode?: string | null } | null;
  /** Identity's restricted flag; absent means it could not be told, and counts as restricted. */
  restricted?: boolean | null;
}

/** Housing's own settings: the matching thresholds (`HOUSING_MATCH_THRESHOLD`, `HOUSING_REVIEW_THRESHOLD`), probabilities of a match. */
export interface HousingSettings { thresholds: MatchThresholds }

export const DEFAULT_THRESHOLDS: MatchThresholds = MATCHING_THRESHOLDS;

export function readHousingSettings(source: Env): HousingSettings {
  const values = readEnv(
    { HOUSING_MATCH_THRESHOLD: env.fraction(DEFAULT_THRESHOLDS.match), HOUSING_REVIEW_THRESHOLD: env.fraction(DEFAULT_THRESHOLDS.review) },
    source,
  ) as { HOUSING_MATCH_THRESHOLD: number; HOUSING_REVIEW_THRESHOLD: number };
  const thresholds = { match: values.HOUSING_MATCH_THRESHOLD, review: values.HOUSING_REVIEW_THRESHOLD };
  if (thresholds.review > thresholds.match) {
    throw new ConfigError(`Invalid configuration:\n  HOUSING_REVIEW_THRESHOLD="${thresholds.review}": must not be above HOUSING_MATCH_THRESHOLD (${thresholds.match})`);
  }
  return { thresholds };
}

/** A household member proposed as possibly this child, for a person to confirm or reject. */
export interface PossibleMatch { reference: string; confidence: number; matchedOn: string[]; landlordId: string }

export interface HousingRecord {
  /** How the record was found: confirmed by a person (NHS number cross-reference), matched on demographics, or only possible. */
  status: 'confirmed' | 'matched' | 'possible';
  tenancyRef: string | null;
  memberRef: string | null;
  matchConfidence: number | null;
  matchedOn: string[] | null;
  /** Trace status semantics: 01 verified (a person confirmed the NHS number), 02 present but not traced. */
  nhsNumberStatus: string | null;
  tenancy: { address: string; type: string; landlord: string; startDate: string } | null;
  temporaryAccommodation: boolean | null;
  rentArrears: number | null;
  possibleMatches: PossibleMatch[];
  /** Hidden facts for the record rules (not in the schema): the landlords whose records these are. */
  landlordIds: string[];
}

interface MatchRequest { key: string; nhsNumber: string; query: Demographics; postcodeWithheld: boolean }

interface CandidateRow {
  key: string; member_ref: string; given_name: string; family_name: string; date_of_birth: string | null; member_postcode: string;
  tenancy_ref: string; tenancy_type: string; start_date: string; temporary_accommodation: boolean; arrears_pence: number;
  landlord_id: string; landlord: string; line1: string; town: string; postcode: string; confirmed_nhs: string | null; rejected: boolean;
}

/** A child's demographics from identity, as matching compares them. */
export function childDemographics(child: ChildDemographics): Demographics {
  const address = child.address;
  return {
    given: child.name?.given ?? null,
    family: child.name?.family ?? null,
    dateOfBirth: child.dateOfBirth ?? null,
    addresses: address?.postcode || address?.line1 ? [{ lines: [address.line1 ?? null], town: address.town ?? null, postcode: address.postcode ?? null }] : [],
  };
}

/** A household member as matching compares them: the household lives at the tenancy's property; the member may be recorded at an earlier postcode. */
export function householdMemberDemographics(member: { given: string; family: string; dateOfBirth: string | null; memberPostcode: string; line1: string; town: string; postcode: string }): Demographics {
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

/** The loader key for a child: its NHS number and the demographics it is matched on. */
export function matchRequestFor(child: ChildDemographics): MatchRequest {
  const query = childDemographics(child);
  const a = child.address;
  // Identity withholds a restricted child's address: housing matches on the rest and says so.
  const postcodeWithheld = !a?.postcode;
  return { key: JSON.stringify([child.nhsNumber, query.given, query.family, query.dateOfBirth, a?.line1 ?? null, a?.town ?? null, a?.postcode ?? null]), nhsNumber: child.nhsNumber, query, postcodeWithheld };
}

/** Each request's blocking codes, as the SQL's parameters (shared/matching/blocking.ts names the rules). */
function blockingParameters(requests: readonly MatchRequest[]): unknown[] {
  const column = <T>(f: (q: Demographics, r: MatchRequest) => T) => requests.map((r) => f(r.query, r));
  const dob = (q: Demographics) => {
    const digits = q.dateOfBirth ? normaliseDate(q.dateOfBirth) : null;
    return digits ? `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6)}` : null;
  };
  const postcode = (q: Demographics) => (q.addresses?.[0]?.postcode ? normalisePostcode(q.addresses[0].postcode) || null : null);
  return [
    column((_, r) => r.key),
    column((_, r) => r.nhsNumber),
    column((q) => dob(q)),
    column((q) => (dob(q) ? swapDayAndMonth(dob(q)!) : null)),
    column((q) => postcode(q)),
    column((q) => { const p = postcode(q); return p ? postcodeSector(p) : null; }),
    column((q) => (q.given ? nameKey(q.given) || null : null)),
    column((q) => (q.family ? nameKey(q.family) || null : null)),
    column((q) => (dob(q) ? `${dob(q)!.slice(0, 7)}-01` : null)),
    column((q) => (q.addresses?.[0]?.lines?.[0] ? addressKey(q.addresses[0].lines[0]) : null)),
  ];
}

/** Household members the landlord records as an adult of the household: never the child, whatever their name. */
const ADULT_RELATIONSHIPS = ['parent', 'partner of parent', 'partner', 'spouse', 'tenant', 'lead tenant', 'joint tenant'];

/** Current household members with their tenancy's property, for joining a candidate member to its block. */
const member = (on: string) => `records.household_member m ON true JOIN records.tenancy t ON t.tenancy_ref = m.tenancy_ref AND t.end_date IS NULL
             JOIN records.property p ON p.property_ref = t.property_ref AND (${on})`;
const inMonth = "m.date_of_birth >= k.month AND m.date_of_birth < (k.month + interval '1 month')::date";
const sector = '(service.match_sector(m.postcode) = k.sector OR service.match_sector(p.postcode) = k.sector)';

/**
 * Finds each child's household in one statement for the whole batch:
 * candidates are the current household members in any of the child's blocks
 * (the rules of shared/matching/blocking.ts, each found by index), or already
 * confirmed as this child; each is then scored with the shared model. A
 * member the landlord records as a parent or partner is an adult, and no
 * candidate (their date of birth, which would tell, is often not held). A
 * confirmed cross-reference is an exact match; a rejected proposal is never
 * proposed again; a member confirmed as another child is nobody else's.
 */
async function findHouseholds(db: Database, requests: readonly MatchRequest[], thresholds: MatchThresholds): Promise<(HousingRecord & { key: string })[]> {
  const rows = await db.query<CandidateRow>(
    `WITH k AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::date[], $5::text[], $6::text[], $7::text[], $8::text[], $9::date[], $10::text[])
         AS k(key, nhs, dob, dob_swapped, postcode, sector, gk, fk, month, ak)
     ), c AS (
       SELECT k.key, k.nhs, m.member_ref FROM k JOIN records.household_member m ON m.date_of_birth = k.dob OR m.date_of_birth = k.dob_swapped
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
       UNION SELECT k.key, k.nhs, x.member_ref FROM k JOIN service.nhs_cross_reference x ON x.nhs_number = k.nhs
     )
     SELECT c.key, m.member_ref, m.given_name, m.family_name, m.date_of_birth::text AS date_of_birth, m.postcode AS member_postcode,
            t.tenancy_ref, t.tenancy_type, t.start_date::text AS start_date, t.temporary_accommodation, t.arrears_pence,
            t.landlord_id, l.name AS landlord, p.line1, p.town, p.postcode, x.nhs_number AS confirmed_nhs, (r.member_ref IS NOT NULL) AS rejected
       FROM c
       JOIN records.household_member m ON m.member_ref = c.member_ref
       JOIN records.tenancy t ON t.tenancy_ref = m.tenancy_ref AND t.end_date IS NULL
       JOIN records.property p ON p.property_ref = t.property_ref
       JOIN records.landlord l ON l.landlord_id = t.landlord_id
       LEFT JOIN service.nhs_cross_reference x ON x.member_ref = m.member_ref
       LEFT JOIN service.match_rejection r ON r.member_ref = m.member_ref AND r.nhs_number = c.nhs
      WHERE x.nhs_number = c.nhs OR lower(m.relationship) NOT IN (${ADULT_RELATIONSHIPS.map((r) => `'${r}'`).join(', ')})`,
    blockingParameters(requests),
    { prepare: true },
  );
  const byKey = new Map<string, CandidateRow[]>();
  for (const row of rows) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row]);
  return requests.flatMap((request) => {
    const record = decideHousehold(request, byKey.get(request.key) ?? [], thresholds);
    return record ? [{ key: request.key, ...record }] : [];
  });
}

function decideHousehold(request: MatchRequest, candidates: CandidateRow[], thresholds: MatchThresholds): HousingRecord | null {
  const confirmed = candidates.find((c) => c.confirmed_nhs === request.nhsNumber);
  if (confirmed) return recordOf(confirmed, 'confirmed', 1, ['nhsNumber']);
  const open = candidates.filter((c) => c.confirmed_nhs === null && !c.rejected);
  const decision = decideMatch(
    request.query,
    open.map((row) => ({
      candidate: row,
      demographics: householdMemberDemographics({ given: row.given_name, family: row.family_name, dateOfBirth: row.date_of_birth, memberPostcode: row.member_postcode, line1: row.line1, town: row.town, postcode: row.postcode }),
    })),
    thresholds,
    { postcodeWithheld: request.postcodeWithheld },
  );
  if (decision.outcome === 'match') return recordOf(decision.best.candidate, 'matched', decision.best.score, decision.best.matchedOn);
  if (decision.outcome === 'none') return null;
  const possibleMatches = decision.candidates.map((s) => ({ reference: s.candidate.member_ref, confidence: s.score, matchedOn: s.matchedOn, landlordId: s.candidate.landlord_id }));
  return {
    status: 'possible', tenancyRef: null, memberRef: null, matchConfidence: null, matchedOn: null, nhsNumberStatus: null,
    tenancy: null, temporaryAccommodation: null, rentArrears: null, possibleMatches, landlordIds: [...new Set(possibleMatches.map((p) => p.landlordId))],
  };
}

function recordOf(row: CandidateRow, status: 'confirmed' | 'matched', confidence: number, matchedOn: string[]): HousingRecord {
  return {
    status,
    tenancyRef: row.tenancy_ref,
    memberRef: row.member_ref,
    matchConfidence: confidence,
    matchedOn,
    nhsNumberStatus: status === 'confirmed' ? '01' : '02',
    tenancy: { address: `${row.line1}, ${row.town}, ${row.postcode}`, type: row.tenancy_type, landlord: row.landlord, startDate: row.start_date },
    temporaryAccommodation: row.temporary_accommodation,
    rentArrears: row.arrears_pence / 100,
    possibleMatches: [],
    landlordIds: [row.landlord_id],
  };
}

export function createHousingLoaders(db: Database, settings: HousingSettings = { thresholds: DEFAULT_THRESHOLDS }) {
  const requests = new Map<string, MatchRequest>();
  const match = createRowLoader<string, HousingRecord & { key: string }>(
    (keys) => findHouseholds(db, keys.map((k) => requests.get(k)!), settings.thresholds),
    (r) => r.key,
  );
  return {
    match: {
      load(child: ChildDemographics) {
        const request = matchRequestFor(child);
        requests.set(request.key, request);
        return match.load(request.key);
      },
    },
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
