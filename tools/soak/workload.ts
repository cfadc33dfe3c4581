import { AGENCY_NAMES } from '../../registry';
import type { Population } from '../../synthetic';

/** The agency whose part of a child each top-level field of Child is. */
const AGENCY_OF_FIELD: Record<string, string> = { health: 'health', socialCare: 'socialcare', housing: 'housing', education: 'education', police: 'police' };

/** One response that left the gateway with data: who asked, the trace, and for each child the agencies whose part it carried. */
export interface LedgerEntry {
  traceId: string;
  persona: string;
  action: string;
  at: number;
  children: Map<string, Set<string>>;
}

/** What one request came to, for the tally of outcomes. */
export interface Outcome {
  action: string;
  at: number;
  /** HTTP status, or 0 when no response came (connection refused or reset). */
  status: number;
  codes: string[];
  /** Errors without a stable code. */
  uncoded: number;
  traceId: string | null;
}

/** A response's data, or an object within it: JSON read field by field, each checked where it is used. */
export type Data = Record<string, unknown>;

/** The value when it is an object (a child, a part of one), else undefined. */
const objectOf = (value: unknown): Data | undefined => (typeof value === 'object' && value !== null ? (value as Data) : undefined);

export interface Request {
  action: string;
  persona: string;
  purpose: string;
  query: string;
  variables?: Record<string, unknown>;
  breakGlass?: string;
  /** Which of the persona's colleagues asks (0: the persona itself). */
  colleague?: number;
  /** The child a request is about when its answer does not name one (a break-glass review). */
  about?: string;
}

const FULL_VIEW = `query View($n: ID!) { child(nhsNumber: $n) { nhsNumber name { given family } dateOfBirth address { postcode }
  health { registeredGp { practiceName } immunisations { vaccine date } }
  socialCare { status allocatedWorker { name } }
  housing { matchConfidence tenancy { address type } }
  education { school { name } attendanceRate } } }`;
const CASELOAD = 'query Caseload($n: [ID!]!) { children(nhsNumbers: $n) { nhsNumber name { given family } dateOfBirth socialCare { status } } }';
const HEALTH_VIEW =
  'query Health($n: ID!) { child(nhsNumber: $n) { nhsNumber name { given family } health { registeredGp { practiceName } immunisations { vaccine date } } } }';
const SCHOOL_VIEW =
  'query School($n: ID!) { child(nhsNumber: $n) { nhsNumber name { given family } education { school { name } attendanceRate } socialCare { status } } }';
const HOUSING_VIEW =
  'query Housing($n: ID!) { child(nhsNumber: $n) { nhsNumber housing { matchConfidence tenancy { address } possibleMatches { reference confidence } } } }';
const SEARCH = `query Search($given: String, $family: String, $dob: String, $postcode: String, $fuzzy: Boolean) {
  searchChildren(given: $given, family: $family, dateOfBirth: $dob, postcode: $postcode, fuzzy: $fuzzy) { score child { nhsNumber name { given family } } } }`;
const CONFIRM = 'mutation Confirm($n: ID!, $r: ID!) { confirmHousingMatch(nhsNumber: $n, reference: $r) { decision } }';
const TIMELINE = `query Timeline($n: ID!, $since: String, $after: String) { child(nhsNumber: $n) { nhsNumber accessLog(since: $since, first: 500, after: $after) {
  entries { agency traceId disclosed } next ${AGENCY_NAMES.map((agency) => `${agency} { traceId }`).join(' ')} } } }`;
const REVIEWS = 'query Reviews { breakGlassReviews(status: UNREVIEWED) { id nhsNumber } }';
const REVIEW =
  'mutation Review($id: ID!) { reviewBreakGlass(id: $id, outcome: APPROPRIATE, note: "Reviewed during the soak: emergency attendance recorded") { id outcome } }';

export const BREAK_GLASS_JUSTIFICATION = 'Child brought to resus unresponsive; history needed now';

/**
 * The personas' day: what each does, how often (weights), on the synthetic
 * population the agencies were seeded with. Deterministic for a seed.
 */
export function createWorkload(population: Population, random: () => number, since: string, colleagues = 1) {
  const children = population.children.filter((c) => !c.restricted);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const caseload = () => Array.from({ length: 500 }, () => pick(children).nhsNumber);
  const pendingMatches: { nhsNumber: string; reference: string }[] = [];
  let brokeGlass = false;
  const actions: [number, () => Request][] = [
    [
      30,
      () => ({
        action: 'full view',
        persona: pick(['sw.jones', 'sw.ahmed'] as const),
        purpose: 'safeguarding',
        query: FULL_VIEW,
        variables: { n: pick(children).nhsNumber },
      }),
    ],
    [3, () => ({ action: 'caseload (500)', persona: 'sw.jones', purpose: 'safeguarding', query: CASELOAD, variables: { n: caseload() } })],
    [12, () => ({ action: 'health view', persona: 'gp.smith', purpose: 'direct-care', query: HEALTH_VIEW, variables: { n: pick(children).nhsNumber } })],
    [10, () => ({ action: 'school view', persona: 'dsl.khan', purpose: 'safeguarding', query: SCHOOL_VIEW, variables: { n: pick(children).nhsNumber } })],
    [8, () => ({ action: 'housing view', persona: 'ho.evans', purpose: 'direct-care', query: HOUSING_VIEW, variables: { n: pick(children).nhsNumber } })],
    [
      8,
      () => {
        const c = pick(children);
        return {
          action: 'search (exact)',
          persona: pick(['tm.patel', 'gp.smith'] as const),
          purpose: pick(['safeguarding', 'direct-care']),
          query: SEARCH,
          variables: { family: c.family, dob: c.dateOfBirth },
        };
      },
    ],
    [
      5,
      () => {
        const c = pick(children);
        // A misspelt given name, as typed in a hurry.
        return {
          action: 'search (fuzzy)',
          persona: 'tm.patel',
          purpose: 'safeguarding',
          query: SEARCH,
          variables: { given: `${c.given.slice(0, -1)}e`, family: c.family, dob: c.dateOfBirth, fuzzy: true },
        };
      },
    ],
    [
      2,
      () => {
        const match = pendingMatches.shift();
        if (match)
          return {
            action: 'housing confirmation',
            persona: 'ho.evans',
            purpose: 'direct-care',
            query: CONFIRM,
            variables: { n: match.nhsNumber, r: match.reference },
          };
        return { action: 'housing view', persona: 'ho.evans', purpose: 'direct-care', query: HOUSING_VIEW, variables: { n: pick(children).nhsNumber } };
      },
    ],
    [
      2,
      () => {
        if (brokeGlass)
          return { action: 'emergency view', persona: 'dr.lee', purpose: 'emergency-care', query: HEALTH_VIEW, variables: { n: pick(children).nhsNumber } };
        brokeGlass = true;
        return {
          action: 'break-glass',
          persona: 'dr.lee',
          purpose: 'emergency-care',
          query: HEALTH_VIEW,
          variables: { n: pick(children).nhsNumber },
          breakGlass: BREAK_GLASS_JUSTIFICATION,
        };
      },
    ],
    [2, () => ({ action: 'privacy timeline', persona: 'cg.wright', purpose: 'audit', query: TIMELINE, variables: { n: pick(children).nhsNumber, since } })],
    [1, () => ({ action: 'break-glass reviews', persona: 'cg.wright', purpose: 'audit', query: REVIEWS })],
  ];
  const total = actions.reduce((sum, [weight]) => sum + weight, 0);
  return {
    next(): Request {
      let r = random() * total;
      const who = Math.floor(random() * colleagues);
      for (const [weight, make] of actions) if ((r -= weight) < 0) return { ...make(), colleague: who };
      return { ...actions[0]![1](), colleague: who };
    },
    /** What a response makes possible next: a possible housing match to confirm, a grant to review. */
    learn(request: Request, data: Data | null | undefined): Request | null {
      const child = objectOf(data?.child);
      const proposals = objectOf(child?.housing)?.possibleMatches as { reference: string }[] | undefined;
      if (proposals?.length && pendingMatches.length < 20) pendingMatches.push({ nhsNumber: child!.nhsNumber as string, reference: proposals[0]!.reference });
      const grant = request.query === REVIEWS ? (data?.breakGlassReviews as { id: string }[] | undefined)?.[0] : undefined;
      return grant
        ? {
            action: 'break-glass review',
            persona: 'cg.wright',
            colleague: request.colleague,
            purpose: 'audit',
            query: REVIEW,
            variables: { id: grant.id },
            about: (grant as { nhsNumber?: string }).nhsNumber,
          }
        : null;
    },
  };
}

export const TIMELINE_QUERY = TIMELINE;

/**
 * The children a response carried (`asked`: the child a request named when its
 * answer does not) and, for each, the agencies whose part of it came back with
 * something in it: identity's is the child itself (and a break-glass grant under
 * review), each other agency's its field, or its part of the access log (a part
 * holding only nulls still says it exists, and is recorded as such).
 */
export function disclosedIn(data: Data | null | undefined, asked?: unknown): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const add = (child: Data | null | undefined, nhsNumber: unknown = child?.nhsNumber) => {
    if (!child || typeof nhsNumber !== 'string') return;
    const agencies = found.get(nhsNumber) ?? new Set<string>(['identity']);
    for (const [field, agency] of Object.entries(AGENCY_OF_FIELD)) if (child[field] !== null && child[field] !== undefined) agencies.add(agency);
    for (const agency of AGENCY_NAMES) if (Array.isArray(objectOf(child.accessLog)?.[agency])) agencies.add(agency);
    found.set(nhsNumber, agencies);
  };
  // A privacy officer may read a child's access log without being given the child's NHS number: the one asked for.
  const child = objectOf(data?.child);
  add(child, child?.nhsNumber ?? asked);
  for (const each of (data?.children as unknown[] | undefined) ?? []) add(objectOf(each));
  for (const match of (data?.searchChildren as { child?: Data }[] | undefined) ?? []) add(match.child);
  for (const grant of (data?.breakGlassReviews as { nhsNumber?: string }[] | undefined) ?? []) add(grant, grant.nhsNumber);
  add(objectOf(data?.reviewBreakGlass), asked);
  return found;
}

/** Every string a response carried below its children, for the scan of what must never be stored centrally. */
export function recordValues(data: unknown, into: Set<string>): void {
  if (typeof data === 'string') into.add(data);
  else if (Array.isArray(data)) for (const item of data) recordValues(item, into);
  else if (data && typeof data === 'object') for (const value of Object.values(data)) recordValues(value, into);
}
