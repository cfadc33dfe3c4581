import { mistype, mistypePostcode } from './housing-noise';
import { boysNames, girlsNames } from './names';
import { createPopulation, type Address, type Household } from './population';
import { createRandom, type Random } from './random';

/** A child as the demographics service knows them: what housing is handed to match on. */
export interface MatchQuery {
  nhsNumber: string;
  given: string;
  family: string;
  dateOfBirth: string;
  gender: 'male' | 'female';
  /** The address the demographics service holds. */
  line1: string;
  town: string;
  postcode: string;
}

/** A household member as a landlord records them, and whom it really is (null for nobody in the query set). */
export interface LabelledRecord {
  reference: string;
  given: string;
  family: string;
  /** Null when the landlord has no date of birth for them. */
  dateOfBirth: string | null;
  /** The postcode the member was recorded at, and the tenancy's property as the landlord writes it. */
  memberPostcode: string;
  propertyLine1: string;
  propertyTown: string;
  propertyPostcode: string;
  truth: string | null;
  /** How the record was made: `true`, with its noise, or the kind of decoy. */
  kind: string;
}

export interface LabelledSet {
  queries: MatchQuery[];
  records: LabelledRecord[];
}

/**
 * A labelled set for evaluating housing matching, deterministic for a seed:
 * every child of the synthetic population is a query; the records are the
 * landlords' household members for the children in social housing, with the
 * errors real records carry (see housing-noise.ts), and the landlord's own way
 * of writing the property's address (abbreviated, mistyped, the town left
 * out), and a landlord sometimes has no date of birth. Near-miss decoys no
 * query should match: twins (same surname, date of birth and address), and
 * children elsewhere with a query child's given name, surname and date of
 * birth. Some children's own records are left out, so that a decoy is their
 * best candidate.
 */
export function buildLabelledSet(options: { children: number; seed: number; asOf: string }): LabelledSet {
  const population = createPopulation({ size: options.children, seed: options.seed, asOf: options.asOf });
  const random = createRandom(options.seed * 7919 + 17);
  const households = new Map(population.households.map((h) => [h.id, h]));
  const properties = new Map<string, Address>();
  const propertyOf = (h: Household) => properties.get(h.id) ?? properties.set(h.id, asLandlordWrites(random, h.address)).get(h.id)!;
  const queries: MatchQuery[] = [];
  const records: LabelledRecord[] = [];
  let decoys = 0;
  const decoy = (record: Omit<LabelledRecord, 'reference' | 'truth'>) => records.push({ ...record, reference: `DECOY-${++decoys}`, truth: null });
  for (const child of population.children) {
    const household = households.get(child.householdId)!;
    const known = household.address;
    queries.push({
      nhsNumber: child.nhsNumber,
      given: child.given,
      family: child.family,
      dateOfBirth: child.dateOfBirth,
      gender: child.gender,
      line1: known.line1,
      town: known.town,
      postcode: known.postcode,
    });
    if (child.housing && household.tenancy) {
      const property = propertyOf(household);
      const noise = [...child.housing.noise, ...(property.line1 !== household.address.line1 ? ['address line as the landlord writes it'] : [])];
      const dateOfBirth = random.chance(0.01) ? (noise.push('date of birth missing'), null) : child.housing.dateOfBirth;
      const own = {
        given: child.housing.given,
        family: child.housing.family,
        dateOfBirth,
        memberPostcode: child.housing.postcode,
        propertyLine1: property.line1,
        propertyTown: property.town,
        propertyPostcode: property.postcode,
      };
      // A twin the demographics service does not know (so that matching them to anyone is wrong).
      if (random.chance(0.03)) {
        const names = child.gender === 'female' ? girlsNames : boysNames;
        let given = random.pick(random.chance(0.5) ? girlsNames : boysNames);
        while (given === child.given) given = random.pick(names);
        decoy({ ...own, given, family: child.family, dateOfBirth: child.dateOfBirth, memberPostcode: household.address.postcode, kind: 'twin' });
      }
      // Sometimes the landlord holds no record of the child itself, only of others who resemble them.
      if (random.chance(0.02)) continue;
      records.push({
        ...own,
        reference: `${household.tenancy.ref}-${child.nhsNumber}`,
        truth: child.nhsNumber,
        kind: noise.length ? `true (${noise.join(', ')})` : 'true',
      });
    }
    // Another child, elsewhere, with the same common name and date of birth.
    if (random.chance(0.03)) {
      const elsewhere = population.households[random.int(0, population.households.length - 1)]!.address;
      if (elsewhere.postcode !== household.address.postcode) {
        decoy({
          given: child.given,
          family: child.family,
          dateOfBirth: child.dateOfBirth,
          memberPostcode: elsewhere.postcode,
          propertyLine1: elsewhere.line1,
          propertyTown: elsewhere.town,
          propertyPostcode: elsewhere.postcode,
          kind: 'same name and date of birth elsewhere',
        });
      }
    }
  }
  return { queries, records };
}

const WRITTEN_SHORT: Record<string, string> = { Road: 'Rd', Street: 'St', Lane: 'Ln', Avenue: 'Ave', Close: 'Cl', Crescent: 'Cres', Drive: 'Dr', Grove: 'Gr' };

/** The property's address as a landlord's system holds it: abbreviated, now and then mistyped or without its town. */
function asLandlordWrites(random: Random, address: Address): Address {
  let { line1, town, postcode } = address;
  if (random.chance(0.3)) line1 = line1.replace(/\b(Road|Street|Lane|Avenue|Close|Crescent|Drive|Grove)$/, (w) => WRITTEN_SHORT[w]!);
  if (random.chance(0.1)) line1 = `Flat ${random.int(1, 12)}, ${line1}`;
  if (random.chance(0.02)) line1 = mistype(random, line1);
  if (random.chance(0.03)) town = '';
  if (random.chance(0.01)) postcode = mistypePostcode(random, postcode);
  return { line1, town, postcode };
}
