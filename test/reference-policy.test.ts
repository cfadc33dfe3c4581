import { children, expected, fields, personas, purposes } from './reference-oracle';
import { startFederation, type Federation } from './start-federation';

/**
 * For every persona and purpose, a query of every field of the five demo
 * children returns exactly what the reference policy allows, and FORBIDDEN at the rest.
 */
const everything = `query Everything($n: [ID!]!) { children(nhsNumbers: $n) {
  nhsNumber name { given family } dateOfBirth gender address { line1 town postcode } nhsNumberStatus restricted
  health { registeredGp { practiceName odsCode } healthVisitor { name } immunisations { vaccine } emergencyAttendances { date } conditions { name } }
  socialCare { status statusSince localAuthority { name } allocatedWorker { name } referrals { date } caseNotes { text } placement { type area } }
  housing { matchConfidence matchedOn tenancy { address } household { name } temporaryAccommodation antisocialBehaviourCases { date } rentArrears }
  education { school { name } attendanceRate unauthorisedAbsences exclusions { date } senSupport ehcp freeSchoolMeals }
  police { matchConfidence matchedOn encompassNotifications { id sentAt childPresent } } } }`;

type Outcome = 'allowed' | 'FORBIDDEN' | 'absent';

describe('the reference policy, persona by persona', () => {
  let federation: Federation;
  beforeAll(async () => {
    federation = await startFederation({ children: 50 });
  }, 120_000);
  afterAll(() => federation?.stop());

  describe.each(personas)('%s', (persona) => {
    it.each(purposes)('for %s sees exactly what the reference policy allows of the five demo children', async (purpose) => {
      const body =
        purpose === 'break-glass'
          ? await oneChildAtATime(federation, persona)
          : (await federation.queryGateway(everything, { n: children }, { persona, purpose })).body;
      const forbidden = (body.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN').map((e) => (e.path ?? []).join('.'));
      const unexpected = (body.errors ?? []).filter((e) => e.extensions?.code !== 'FORBIDDEN');
      expect(unexpected).toEqual([]);
      const mismatches: string[] = [];
      children.forEach((child, i) => {
        for (const field of fields) {
          const path = ['children', String(i), ...field.split('.')];
          const deniedAt = forbidden.some((f) => path.join('.') === f || path.join('.').startsWith(`${f}.`));
          // A parent that is simply absent (the agency holds no record) discloses nothing: nothing to check below it.
          const parent = field.includes('.') ? valueAt(body.data, path.slice(0, -1)) : valueAt(body.data, path.slice(0, 2));
          const outcome: Outcome = deniedAt ? 'FORBIDDEN' : parent === null || parent === undefined ? 'absent' : 'allowed';
          if (outcome === 'absent') continue;
          const want = expected(persona, purpose, child, field) ? 'allowed' : 'FORBIDDEN';
          if (outcome !== want) mismatches.push(`${child} ${field}: expected ${want}, got ${outcome}`);
          if (outcome === 'FORBIDDEN' && valueAt(body.data, path) !== null && valueAt(body.data, path) !== undefined)
            mismatches.push(`${child} ${field}: denied but has a value`);
        }
      });
      expect(mismatches).toEqual([]);
    });
  });
});

function valueAt(data: unknown, path: string[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || value === undefined) return value;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Break-glass opens one child at a time: ask for each demo child alone and put the answers together. */
async function oneChildAtATime(federation: Federation, persona: (typeof personas)[number]) {
  const single = everything.replace('query Everything($n: [ID!]!) { children(nhsNumbers: $n) {', 'query One($c: ID!) { child(nhsNumber: $c) {');
  const data: { children: unknown[] } = { children: [] };
  const errors: { path?: (string | number)[]; extensions?: Record<string, unknown>; message: string }[] = [];
  for (const [i, child] of children.entries()) {
    const { body } = await federation.queryGateway(
      single,
      { c: child },
      { persona, purpose: 'emergency-care', breakGlass: 'Child brought in unconscious; history needed now' },
    );
    data.children.push(body.data?.child ?? null);
    for (const e of body.errors ?? []) errors.push({ ...e, path: e.path?.[0] === 'child' ? ['children', i, ...e.path.slice(1)] : e.path });
  }
  return { data, errors };
}
