import {
  ConfigError, createListLoader, createRowLoader, decideMatch, env, normalisePostcode, readEnv, swapDayAndMonth,
  type Database, type Demographics, type Env, type MatchThresholds,
} from '../../shared';

/** What the gateway hands housing about a child, through `@requires`. */
export interface ChildDemographics {
  nhsNumber: string;
  name?: { given?: string | null; family?: string | null } | null;
  dateOfBirth?: string | null;
  address?: { postcode?: string | null } | null;
  /** Identity's restricted flag; absent means it could not be told, and counts as restricted. */
  restricted?: boolean | null;
}

/** Housing's own settings: the matching thresholds (`HOUSING_MATCH_THRESHOLD`, `HOUSING_REVIEW_THRESHOLD`). */
export interface HousingSettings { thresholds: MatchThresholds }

export const DEFAULT_THRESHOLDS: MatchThresholds = { match: 0.92, review: 0.7 };

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

/** The loader key for a child: its NHS number and the demographics it is matched on. */
export function matchRequestFor(child: ChildDemographics): MatchRequest {
  const postcode = child.address?.postcode;
  const query: Demographics = {
    given: child.name?.given ?? null,
    family: child.name?.family ?? null,
    dateOfBirth: child.dateOfBirth ?? null,
    postcodes: postcode ? [postcode] : [],
  };
  // Identity withholds a restricted child's address: housing matches on the rest and says so.
  const postcodeWithheld = !postcode;
  return { key: JSON.stringify([child.nhsNumber, query.given, query.family, query.dateOfBirth, postcode ?? null]), nhsNumber: child.nhsNumber, query, postcodeWithheld };
}

/**
 * Finds each child's household in one statement for the whole batch: candidates
 * are the household members of current tenancies with the child's date of
 * birth (or with day and month swapped), at the child's postcode, or already
 * confirmed as this child; each is then scored with the shared scorer. A
 * confirmed cross-reference is an exact match; a rejected proposal is never
 * proposed again; a member confirmed as another child is nobody else's.
 */
async function findHouseholds(db: Database, requests: readonly MatchRequest[], thresholds: MatchThresholds): Promise<(HousingRecord & { key: string })[]> {
  const rows = await db.query<CandidateRow>(
    `WITH k AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::date[], $5::text[]) AS k(key, nhs, dob, dob_swapped, postcode)
     ), c AS (
       SELECT k.key, k.nhs, m.member_ref FROM k JOIN records.household_member m ON m.date_of_birth = k.dob
       UNION SELECT k.key, k.nhs, m.member_ref FROM k JOIN records.household_member m ON m.date_of_birth = k.dob_swapped
       UNION SELECT k.key, k.nhs, m.member_ref FROM k JOIN records.property p ON replace(upper(p.postcode), ' ', '') = k.postcode
               JOIN records.tenancy t ON t.property_ref = p.property_ref AND t.end_date IS NULL
               JOIN records.household_member m ON m.tenancy_ref = t.tenancy_ref AND m.date_of_birth IS NOT NULL
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
       LEFT JOIN service.match_rejection r ON r.member_ref = m.member_ref AND r.nhs_number = c.nhs`,
    [
      requests.map((r) => r.key),
      requests.map((r) => r.nhsNumber),
      requests.map((r) => r.query.dateOfBirth ?? null),
      requests.map((r) => (r.query.dateOfBirth ? swapDayAndMonth(r.query.dateOfBirth) : null)),
      requests.map((r) => (r.query.postcodes?.[0] ? normalisePostcode(r.query.postcodes[0]) : null)),
    ],
    { prepare: true },
  );
  const byKey = new Map<string, CandidateRow[]>();
  for (const row of rows) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row]);
  const records: (HousingRecord & { key: string })[] = [];
  for (const request of requests) {
    const candidates = byKey.get(request.key) ?? [];
    const confirmed = candidates.find((c) => c.confirmed_nhs === request.nhsNumber);
    if (confirmed) {
      records.push({ key: request.key, ...recordOf(confirmed, 'confirmed', 1, ['nhsNumber']) });
      continue;
    }
    const open = candidates.filter((c) => c.confirmed_nhs === null && !c.rejected);
    const decision = decideMatch(
      request.query,
      open.map((row) => ({
        candidate: row,
        // The household lives at the tenancy's property; the member may be recorded at an earlier address.
        demographics: { given: row.given_name, family: row.family_name, dateOfBirth: row.date_of_birth, postcodes: [row.postcode, row.member_postcode] },
      })),
      thresholds,
      { postcodeWithheld: request.postcodeWithheld },
    );
    if (decision.outcome === 'match') {
      records.push({ key: request.key, ...recordOf(decision.best.candidate, 'matched', decision.best.score, decision.best.matchedOn) });
    } else if (decision.outcome === 'possible') {
      const possibleMatches = decision.candidates.map((s) => ({ reference: s.candidate.member_ref, confidence: s.score, matchedOn: s.matchedOn, landlordId: s.candidate.landlord_id }));
      records.push({
        key: request.key, status: 'possible', tenancyRef: null, memberRef: null, matchConfidence: null, matchedOn: null, nhsNumberStatus: null,
        tenancy: null, temporaryAccommodation: null, rentArrears: null, possibleMatches, landlordIds: [...new Set(possibleMatches.map((p) => p.landlordId))],
      });
    }
  }
  return records;
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
