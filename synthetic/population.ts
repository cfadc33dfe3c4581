import { nhsCheckDigit } from '../shared';
import { addDays, birthDateFor, today } from './dates';
import { createDirectory, hospitals, type Directory } from './directory';
import { boysNames, familyNames, girlsNames, adultNames, streets, towns } from './names';
import { createRandom, type Random } from './random';
import { addDemoChildren } from './demo-children';
import { addHousingNoise } from './housing-noise';

export interface Address {
  line1: string;
  town: string;
  postcode: string;
}
export type SocialCareStatus = 'NONE' | 'CHILD_IN_NEED' | 'CHILD_PROTECTION_PLAN' | 'LOOKED_AFTER';

export interface Household {
  id: string;
  family: string;
  address: Address;
  previousAddress: Address;
  adults: { given: string; family: string; relationship: string }[];
  childIds: string[];
  /** Present when the household rents from a social landlord. */
  tenancy: null | {
    ref: string;
    landlordId: string;
    type: 'SECURE' | 'ASSURED' | 'STARTER' | 'TEMPORARY';
    startDate: string;
    temporaryAccommodation: boolean;
    arrearsPence: number;
    antisocialBehaviour: { date: string; category: string }[];
  };
}

export interface Child {
  nhsNumber: string;
  given: string;
  family: string;
  dateOfBirth: string;
  gender: 'male' | 'female';
  householdId: string;
  restricted: boolean;
  traceStatus: string;
  health: {
    odsCode: string | null;
    registeredOn: string;
    healthVisitorId: string | null;
    immunisations: { vaccine: string; date: string }[];
    emergencyAttendances: { date: string; hospital: string; reason: string }[];
    conditions: { name: string; since: string }[];
    consentToShareWithSchool: boolean;
  };
  education: null | {
    urn: string;
    upn: string;
    attendanceRate: number;
    unauthorisedSessions: number;
    possibleSessions: number;
    exclusions: { date: string; type: 'SUSPENSION' | 'PERMANENT'; days: number }[];
    sen: 'N' | 'K' | 'E';
    freeSchoolMeals: boolean;
  };
  socialCare: null | {
    status: SocialCareStatus;
    since: string;
    workerId: string | null;
    referrals: { date: string; source: string; reason: string }[];
    caseNotes: { date: string; authorId: string; text: string }[];
  };
  /** How the child appears in the landlord's records, with the noise that real records carry. */
  housing: null | { given: string; family: string; dateOfBirth: string; postcode: string; relationship: string; noise: string[] };
}

export interface Population {
  asOf: string;
  seed: number;
  directory: Directory;
  children: Child[];
  households: Household[];
}

export const DEMO_CHILD_COUNT = 5;

/** The n-th synthetic NHS number in 999 000 0000–999 999 9999, skipping prefixes with no valid check digit. */
export function* syntheticNhsNumbers(start = 0): Generator<string> {
  for (let n = start; n < 1_000_000; n++) {
    const nine = `999${String(n).padStart(6, '0')}`;
    const check = nhsCheckDigit(nine);
    if (check !== null) yield `${nine}${check}`;
  }
}

/**
 * A deterministic population of `size` children (the five demo children first),
 * with their households and each agency's view of them, as on `asOf`.
 */
export function createPopulation(options: { size: number; seed?: number; asOf: string }): Population {
  const { size, asOf } = options;
  const seed = options.seed ?? 1;
  const random = createRandom(seed);
  const directory = createDirectory();
  const children: Child[] = [];
  const households: Household[] = [];
  addDemoChildren({ asOf, directory, children, households });
  const numbers = syntheticNhsNumbers(6);
  while (children.length < size) {
    const household = createHousehold(random, households.length, asOf, directory);
    households.push(household);
    const siblings = Math.min(random.pick([1, 1, 2, 2, 2, 3, 4]), size - children.length);
    for (let i = 0; i < siblings; i++) {
      const child = createChild(random, numbers.next().value as string, household, asOf, directory);
      household.childIds.push(child.nhsNumber);
      children.push(child);
    }
  }
  const byNhsNumber = new Map(children.map((c) => [c.nhsNumber, c]));
  for (const household of households) addHousingNoise(random, household, byNhsNumber);
  return { asOf, seed, directory, children, households };
}

function createAddress(random: Random): Address {
  const town = random.pick(towns);
  const district = towns.indexOf(town) + 1;
  const letters = 'ABDEFGHJLNPQRSTUWXYZ';
  return {
    line1: `${random.int(1, 180)} ${random.pick(streets)}`,
    town,
    postcode: `NS${district} ${random.int(1, 9)}${random.pick([...letters])}${random.pick([...letters])}`,
  };
}

function createHousehold(random: Random, index: number, asOf: string, directory: Directory): Household {
  const family = random.pick(familyNames);
  const social = random.chance(0.3);
  const adults = [{ given: random.pick(adultNames), family, relationship: 'Parent' }];
  if (random.chance(0.6))
    adults.push({
      given: random.pick(adultNames),
      family: random.chance(0.8) ? family : random.pick(familyNames),
      relationship: random.pick(['Parent', 'Partner of parent']),
    });
  const temporary = social && random.chance(0.05);
  return {
    id: `H${String(index + 1).padStart(6, '0')}`,
    family,
    address: createAddress(random),
    previousAddress: createAddress(random),
    adults,
    childIds: [],
    tenancy: social
      ? {
          ref: `TEN${String(index + 1).padStart(7, '0')}`,
          landlordId: random.pick(directory.landlords).id,
          type: temporary ? 'TEMPORARY' : random.pick(['SECURE', 'SECURE', 'ASSURED', 'STARTER'] as const),
          startDate: addDays(asOf, -random.int(30, 4000)),
          temporaryAccommodation: temporary,
          arrearsPence: random.chance(0.25) ? random.int(1000, 250000) : 0,
          antisocialBehaviour: random.chance(0.06)
            ? [{ date: addDays(asOf, -random.int(10, 700)), category: random.pick(['Noise', 'Verbal abuse', 'Vandalism', 'Drug-related', 'Harassment']) }]
            : [],
        }
      : null,
  };
}

function createChild(random: Random, nhsNumber: string, household: Household, asOf: string, directory: Directory): Child {
  const gender = random.chance(0.5) ? 'female' : 'male';
  const age = random.chance(0.12) ? random.int(0, 3) : random.int(4, 17);
  const dateOfBirth = birthDateFor(asOf, age, random.int(1, 12), random.int(1, 28));
  const status: SocialCareStatus = pickStatus(random);
  return {
    nhsNumber,
    given: random.pick(gender === 'female' ? girlsNames : boysNames),
    family: household.family,
    dateOfBirth,
    gender,
    householdId: household.id,
    restricted: random.chance(0.003),
    traceStatus: random.chance(0.97) ? '01' : random.pick(['02', '03', '04']),
    health: createHealth(random, dateOfBirth, asOf, directory),
    education: age >= 4 && random.chance(0.97) ? createEducation(random, nhsNumber, age, asOf, directory) : null,
    socialCare: status === 'NONE' && !random.chance(0.03) ? null : createSocialCare(random, status, asOf, directory),
    housing: null,
  };
}

function pickStatus(random: Random): SocialCareStatus {
  const r = random.next();
  if (r < 0.007) return 'LOOKED_AFTER';
  if (r < 0.017) return 'CHILD_PROTECTION_PLAN';
  if (r < 0.067) return 'CHILD_IN_NEED';
  return 'NONE';
}

const schedule: [string, number][] = [
  ['6-in-1 (1st dose)', 56],
  ['Rotavirus (1st dose)', 56],
  ['MenB (1st dose)', 56],
  ['6-in-1 (2nd dose)', 84],
  ['Pneumococcal (1st dose)', 84],
  ['6-in-1 (3rd dose)', 112],
  ['MenB (2nd dose)', 112],
  ['MMR (1st dose)', 365],
  ['Hib/MenC', 366],
  ['MMR (2nd dose)', 1200],
  ['4-in-1 pre-school booster', 1220],
  ['HPV', 4600],
  ['3-in-1 teenage booster', 5100],
];

function createHealth(random: Random, dateOfBirth: string, asOf: string, directory: Directory): Child['health'] {
  const ageDays = Math.round((Date.parse(asOf) - Date.parse(dateOfBirth)) / 86_400_000);
  const registered = random.chance(0.98);
  const conditions = [
    ...(random.chance(0.08) ? [{ name: 'Asthma', since: addDays(dateOfBirth, random.int(400, Math.max(401, ageDays))) }] : []),
    ...(random.chance(0.04) ? [{ name: 'Eczema', since: addDays(dateOfBirth, random.int(60, Math.max(61, ageDays))) }] : []),
    ...(random.chance(0.02) ? [{ name: 'Type 1 diabetes', since: addDays(dateOfBirth, random.int(700, Math.max(701, ageDays))) }] : []),
  ];
  // A child not registered with a practice has no GP record at all.
  if (!registered) {
    return {
      odsCode: null,
      registeredOn: dateOfBirth,
      healthVisitorId: null,
      immunisations: [],
      emergencyAttendances: [],
      conditions: [],
      consentToShareWithSchool: false,
    };
  }
  return {
    odsCode: random.pick(directory.practices).odsCode,
    registeredOn: addDays(dateOfBirth, random.int(10, Math.max(11, ageDays))),
    healthVisitorId: ageDays < 5 * 365 ? random.pick(directory.healthVisitors).id : null,
    immunisations: schedule
      .filter(([, due]) => due < ageDays && random.chance(0.92))
      .map(([vaccine, due]) => ({ vaccine, date: addDays(dateOfBirth, due + random.int(0, 30)) })),
    emergencyAttendances: random.chance(0.1)
      ? Array.from({ length: random.int(1, 2) }, () => ({
          date: addDays(asOf, -random.int(1, Math.min(ageDays, 1500))),
          hospital: random.pick(hospitals),
          reason: random.pick(['Fall', 'Head injury', 'Fever', 'Breathing difficulty', 'Burn', 'Suspected fracture', 'Ingestion']),
        }))
      : [],
    conditions,
    consentToShareWithSchool: conditions.length > 0 && random.chance(0.3),
  };
}

function createEducation(random: Random, nhsNumber: string, age: number, asOf: string, directory: Directory): Child['education'] {
  const phase = age <= 10 ? 'primary' : 'secondary';
  const school = random.pick(directory.schools.filter((s) => s.phase === phase));
  const possible = 300;
  const attendance = Math.max(60, Math.min(100, 95 - Math.abs(random.next() * random.next() * 40)));
  return {
    urn: school.urn,
    upn: `N${nhsNumber.slice(3)}${String.fromCharCode(65 + (Number(nhsNumber) % 26))}`,
    attendanceRate: Math.round(attendance * 10) / 10,
    possibleSessions: possible,
    unauthorisedSessions: Math.round(((100 - attendance) / 100) * possible * random.next()),
    exclusions: random.chance(0.02)
      ? [{ date: addDays(asOf, -random.int(5, 300)), type: random.chance(0.9) ? 'SUSPENSION' : 'PERMANENT', days: random.int(1, 5) }]
      : [],
    sen: random.chance(0.03) ? 'E' : random.chance(0.13) ? 'K' : 'N',
    freeSchoolMeals: random.chance(0.24),
  };
}

function createSocialCare(random: Random, status: SocialCareStatus, asOf: string, directory: Directory): Child['socialCare'] {
  const since = addDays(asOf, -random.int(14, 900));
  const worker = status === 'NONE' ? null : random.pick(directory.workers.filter((w) => w.role === 'social-worker' && w.id !== 'W001' && w.id !== 'W002'));
  return {
    status,
    since,
    workerId: worker?.id ?? null,
    referrals: [
      {
        date: addDays(since, -random.int(1, 30)),
        source: random.pick(['School', 'Police', 'Health visitor', 'GP', 'Anonymous', 'Family member']),
        reason: random.pick(['Neglect', 'Domestic abuse in household', 'Emotional abuse', 'Physical injury', 'Parental substance misuse']),
      },
    ],
    caseNotes: worker
      ? [
          {
            date: addDays(asOf, -random.int(1, 60)),
            authorId: worker.id,
            text: random.pick([
              'Home visit completed; child seen alone.',
              'Strategy discussion held with police and health.',
              'Core group meeting; plan reviewed.',
              'Spoke with school DSL about attendance.',
            ]),
          },
        ]
      : [],
  };
}

let last: { key: string; population: Population } | undefined;

/** The population for a seed, built once per process when several agencies seed from it in turn. */
export function populationFor(options: { children: number; seed: number; asOf?: string }): Population {
  const asOf = options.asOf ?? today();
  const key = `${options.children}:${options.seed}:${asOf}`;
  if (last?.key !== key) last = { key, population: createPopulation({ size: options.children, seed: options.seed, asOf }) };
  return last.population;
}
