import { createListLoader, createRowLoader, type Database } from '../../shared';

/** What the gateway hands housing about a child, through `@requires`. */
export interface ChildDemographics {
  nhsNumber: string;
  name?: { given?: string | null; family?: string | null } | null;
  dateOfBirth?: string | null;
  address?: { postcode?: string | null } | null;
}

export interface MatchKey { given: string; family: string; dateOfBirth: string; postcode: string }

export interface HousingRecord {
  tenancyRef: string;
  matchConfidence: number;
  matchedOn: string[];
  tenancy: { address: string; type: string; landlord: string; startDate: string };
  temporaryAccommodation: boolean;
  rentArrears: number;
  /** Hidden fact for the record rules (not in the schema): the id of the tenancy's landlord. */
  landlordId: string;
}

interface CandidateRow {
  key: string; given_name: string; tenancy_ref: string; tenancy_type: string; start_date: string; temporary_accommodation: boolean;
  arrears_pence: number; landlord_id: string; landlord: string; line1: string; town: string; postcode: string;
}

export const normalisePostcode = (postcode: string) => postcode.replace(/\s+/g, '').toUpperCase();

/** The key a child is matched on, or null when the demographics needed are missing. */
export function matchKeyFor(child: ChildDemographics): MatchKey | null {
  const family = child.name?.family;
  const postcode = child.address?.postcode;
  if (!family || !child.dateOfBirth || !postcode) return null;
  return { given: (child.name?.given ?? '').toLowerCase(), family: family.toLowerCase(), dateOfBirth: child.dateOfBirth, postcode: normalisePostcode(postcode) };
}

const encode = (key: MatchKey) => JSON.stringify([key.given, key.family, key.dateOfBirth, key.postcode]);

/**
 * Exact matching on family name + date of birth + current postcode against the
 * household members of current tenancies: one statement for the whole batch.
 * A matching given name makes the match certain; without it the match stands
 * only when it is the one candidate.
 */
async function findMatches(db: Database, keys: readonly string[]): Promise<(HousingRecord & { key: string })[]> {
  const parsed = keys.map((k) => JSON.parse(k) as [string, string, string, string]);
  const rows = await db.query<CandidateRow>(
    `SELECT k.key, m.given_name, t.tenancy_ref, t.tenancy_type, t.start_date::text AS start_date, t.temporary_accommodation,
            t.arrears_pence, t.landlord_id, l.name AS landlord, p.line1, p.town, p.postcode
       FROM unnest($1::text[], $2::text[], $3::date[], $4::text[]) AS k(key, family, dob, postcode)
       JOIN records.household_member m
         ON lower(m.family_name) = k.family AND m.date_of_birth = k.dob AND replace(upper(m.postcode), ' ', '') = k.postcode
       JOIN records.tenancy t ON t.tenancy_ref = m.tenancy_ref AND t.end_date IS NULL
       JOIN records.property p ON p.property_ref = t.property_ref
       JOIN records.landlord l ON l.landlord_id = t.landlord_id`,
    [keys, parsed.map((k) => k[1]), parsed.map((k) => k[2]), parsed.map((k) => k[3])],
  );
  const byKey = new Map<string, CandidateRow[]>();
  for (const row of rows) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row]);
  const records: (HousingRecord & { key: string })[] = [];
  keys.forEach((key, i) => {
    const candidates = byKey.get(key) ?? [];
    const given = parsed[i]![0];
    const sameGiven = candidates.filter((c) => c.given_name.toLowerCase() === given);
    const chosen = sameGiven.length === 1 ? sameGiven[0] : candidates.length === 1 ? candidates[0] : undefined;
    if (!chosen) return;
    const certain = chosen.given_name.toLowerCase() === given;
    records.push({
      key,
      tenancyRef: chosen.tenancy_ref,
      matchConfidence: certain ? 1 : 0.8,
      matchedOn: [...(certain ? ['givenName'] : []), 'familyName', 'dateOfBirth', 'postcode'],
      tenancy: { address: `${chosen.line1}, ${chosen.town}, ${chosen.postcode}`, type: chosen.tenancy_type, landlord: chosen.landlord, startDate: chosen.start_date },
      temporaryAccommodation: chosen.temporary_accommodation,
      rentArrears: chosen.arrears_pence / 100,
      landlordId: chosen.landlord_id,
    });
  });
  return records;
}

export function createHousingLoaders(db: Database) {
  const match = createRowLoader<string, HousingRecord & { key: string }>((keys) => findMatches(db, keys), (r) => r.key);
  return {
    match: { load: (key: MatchKey) => match.load(encode(key)) },
    household: createListLoader<string, { tenancyRef: string; name: string; relationship: string }>(
      async (refs) =>
        db.query(
          `SELECT tenancy_ref AS "tenancyRef", given_name || ' ' || family_name AS name, relationship
             FROM records.household_member WHERE tenancy_ref = ANY($1::text[]) ORDER BY tenancy_ref, member_ref`,
          [refs],
        ),
      (r) => r.tenancyRef,
    ),
    antisocialBehaviourCases: createListLoader<string, { tenancyRef: string; date: string; category: string }>(
      async (refs) =>
        db.query(
          `SELECT tenancy_ref AS "tenancyRef", opened_on::text AS date, category
             FROM records.asb_case WHERE tenancy_ref = ANY($1::text[]) ORDER BY opened_on DESC`,
          [refs],
        ),
      (r) => r.tenancyRef,
    ),
  };
}
export type HousingLoaders = ReturnType<typeof createHousingLoaders>;
