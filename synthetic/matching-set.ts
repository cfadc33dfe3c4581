import { boysNames, girlsNames } from './names';
import { createPopulation } from './population';
import { createRandom } from './random';

/** A child as the demographics service knows them: what housing is handed to match on. */
export interface MatchQuery { nhsNumber: string; given: string; family: string; dateOfBirth: string; postcode: string }

/** A household member as a landlord records them, and whom it really is (null for nobody in the query set). */
export interface LabelledRecord {
  reference: string;
  given: string;
  family: string;
  dateOfBirth: string;
  /** The postcode the member was recorded at, and the tenancy's property postcode. */
  memberPostcode: string;
  propertyPostcode: string;
  truth: string | null;
  /** How the record was made: `true`, with its noise, or the kind of decoy. */
  kind: string;
}

export interface LabelledSet { queries: MatchQuery[]; records: LabelledRecord[] }

/**
 * A labelled set for evaluating housing matching, deterministic for a seed:
 * every child of the synthetic population is a query; the records are the
 * landlords' household members for the children in social housing (with the
 * noise real records carry: familiar names, misspellings, day and month
 * swapped, an earlier address), plus near-miss decoys that no query should
 * match: twins (same surname, date of birth and address), and children
 * elsewhere with a query child's given name, surname and date of birth. Some
 * children's own records are left out, so that a decoy is their best candidate.
 */
export function buildLabelledSet(options: { children: number; seed: number; asOf: string }): LabelledSet {
  const population = createPopulation({ size: options.children, seed: options.seed, asOf: options.asOf });
  const random = createRandom(options.seed * 7919 + 17);
  const households = new Map(population.households.map((h) => [h.id, h]));
  const queries: MatchQuery[] = [];
  const records: LabelledRecord[] = [];
  let decoys = 0;
  const decoy = (record: Omit<LabelledRecord, 'reference' | 'truth'>) => records.push({ ...record, reference: `DECOY-${++decoys}`, truth: null });
  for (const child of population.children) {
    const household = households.get(child.householdId)!;
    queries.push({ nhsNumber: child.nhsNumber, given: child.given, family: child.family, dateOfBirth: child.dateOfBirth, postcode: household.address.postcode });
    const propertyPostcode = household.address.postcode;
    if (child.housing && household.tenancy) {
      const own = { given: child.housing.given, family: child.housing.family, dateOfBirth: child.housing.dateOfBirth, memberPostcode: child.housing.postcode, propertyPostcode };
      // A twin the demographics service does not know (so that matching them to anyone is wrong).
      if (random.chance(0.03)) {
        const names = child.gender === 'female' ? girlsNames : boysNames;
        let given = random.pick(random.chance(0.5) ? girlsNames : boysNames);
        while (given === child.given) given = random.pick(names);
        decoy({ ...own, given, kind: 'twin' });
      }
      // Sometimes the landlord holds no record of the child itself, only of others who resemble them.
      if (random.chance(0.02)) continue;
      records.push({ ...own, reference: `${household.tenancy.ref}-${child.nhsNumber}`, truth: child.nhsNumber, kind: child.housing.noise.length ? `true (${child.housing.noise.join(', ')})` : 'true' });
    }
    // Another child, elsewhere, with the same common name and date of birth.
    if (random.chance(0.03)) {
      const elsewhere = population.households[random.int(0, population.households.length - 1)]!.address.postcode;
      if (elsewhere !== propertyPostcode) {
        decoy({ given: child.given, family: child.family, dateOfBirth: child.dateOfBirth, memberPostcode: elsewhere, propertyPostcode: elsewhere, kind: 'same name and date of birth elsewhere' });
      }
    }
  }
  return { queries, records };
}
