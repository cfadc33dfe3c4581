import { demoPersona, type PersonaName } from '../dev/personas';
import { populationFor, syntheticNhsNumbers } from '../synthetic';
import { CONTEXT_HEADER, createContextSigner, type Authority } from '../shared';
import { post, startFederation, type Asking, type Federation } from './start-federation';

const AMELIA = '9990000018';
const status = (nhs: string) => `{ child(nhsNumber: "${nhs}") { socialCare { status } } }`;
const notifications = '{ accessNotifications { nhsNumber viewedBy organisation roles purpose } }';
const alerts = '{ accessAlerts { kind callerSub count threshold detail } }';
const audit: Asking = { persona: 'cg.wright', purpose: 'audit' };
const THRESHOLD = 8;

describe('owner notification and unusual access', () => {
  let federation: Federation;
  beforeAll(async () => {
    federation = await startFederation({ children: 60, unusualAccess: { childrenPerHour: THRESHOLD, minimumSearches: 4, searchFactor: 3 } });
  }, 120_000);
  afterAll(() => federation?.stop());

  it("notifies the child's local authority when someone outside it reads the social care status, and only then", async () => {
    await federation.queryGateway(status(AMELIA), {}, { persona: 'sw.jones', purpose: 'safeguarding' });
    await federation.queryGateway(status(AMELIA), {}, { persona: 'gp.smith', purpose: 'direct-care' });
    await federation.queryGateway(status(AMELIA), {}, { persona: 'dsl.khan', purpose: 'safeguarding' });
    const { body } = await federation.queryGateway(notifications, {}, { persona: 'tm.patel', purpose: 'safeguarding' });
    expect(body.errors).toBeUndefined();
    expect(body.data.accessNotifications).toEqual(
      [
        { nhsNumber: AMELIA, viewedBy: 'Farah Khan', organisation: '100001', roles: ['school-dsl'], purpose: 'safeguarding' },
        { nhsNumber: AMELIA, viewedBy: 'Dr Alex Smith', organisation: 'Y00001', roles: ['gp'], purpose: 'direct-care' },
      ].map((n) => expect.objectContaining(n)),
    );
    const gp = await federation.queryGateway(notifications, {}, { persona: 'gp.smith', purpose: 'direct-care' });
    expect(gp.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it(`raises an alert when one caller views more than ${THRESHOLD} distinct children in an hour, and not at ${THRESHOLD}`, async () => {
    const numbers = syntheticNhsNumbers(6);
    const children = Array.from({ length: THRESHOLD + 1 }, () => numbers.next().value as string);
    const asking: Asking = { persona: 'sw.ahmed', purpose: 'safeguarding' };
    await federation.queryGateway('query ($n: [ID!]!) { children(nhsNumbers: $n) { nhsNumber } }', { n: children.slice(0, THRESHOLD - 1) }, asking);
    // The same children again, then the eighth: still at the threshold.
    await federation.queryGateway('query ($n: [ID!]!) { children(nhsNumbers: $n) { nhsNumber } }', { n: children.slice(0, THRESHOLD) }, asking);
    const before = (await federation.queryGateway(alerts, {}, audit)).body.data.accessAlerts;
    expect(before.filter((a: { callerSub: string }) => a.callerSub === 'sw.ahmed')).toEqual([]);
    await federation.queryGateway(`{ child(nhsNumber: "${children[THRESHOLD]}") { nhsNumber } }`, {}, asking);
    await federation.queryGateway(`{ child(nhsNumber: "${children[0]}") { nhsNumber } }`, {}, asking);
    const after = (await federation.queryGateway(alerts, {}, audit)).body.data.accessAlerts;
    expect(after.filter((a: { callerSub: string }) => a.callerSub === 'sw.ahmed')).toEqual([
      {
        kind: 'UNUSUAL_VOLUME',
        callerSub: 'sw.ahmed',
        count: THRESHOLD + 1,
        threshold: THRESHOLD,
        detail: expect.stringContaining(`${THRESHOLD + 1} distinct children`),
      },
    ]);
  });

  it(`counts only the children viewed without a relationship: a school's own pupils do not count towards ${THRESHOLD}`, async () => {
    // The federation's population (60 children, seed 1): dsl.khan is the safeguarding lead of school 100001.
    const { children } = populationFor({ children: 60, seed: 1, asOf: federation.asOf });
    const pupils = children.filter((c) => c.education?.urn === '100001' && c.nhsNumber !== AMELIA).map((c) => c.nhsNumber);
    const others = children.filter((c) => c.education !== null && c.education.urn !== '100001').map((c) => c.nhsNumber);
    expect(pupils.length).toBeGreaterThanOrEqual(2);
    const asking: Asking = { persona: 'dsl.khan', purpose: 'safeguarding' };
    const view = (n: string[]) =>
      federation.queryGateway('query ($n: [ID!]!) { children(nhsNumbers: $n) { nhsNumber education { attendanceRate } } }', { n }, asking);
    const mine = async () =>
      ((await federation.queryGateway(alerts, {}, audit)).body.data.accessAlerts as { callerSub: string }[]).filter((a) => a.callerSub === 'dsl.khan');
    // Amelia, asked for by NHS number alone (no agency is asked, so no relationship is found; an earlier test
    // may have had dsl.khan view her too), and other schools' pupils: the threshold exactly.
    await federation.queryGateway(`{ child(nhsNumber: "${AMELIA}") { nhsNumber } }`, {}, asking);
    const unrelated = await view(others.slice(0, THRESHOLD - 1));
    // Other schools' attendance is withheld from dsl.khan.
    expect(unrelated.body.data.children.map((c: { education: { attendanceRate: number | null } | null }) => c.education?.attendanceRate ?? null)).toEqual(
      others.slice(0, THRESHOLD - 1).map(() => null),
    );
    // The school's own pupils, with their attendance: a relationship education checked.
    const own = await view(pupils);
    expect(own.body.data.children.map((c: { education: { attendanceRate: number } | null }) => typeof c.education?.attendanceRate)).toEqual(
      pupils.map(() => 'number'),
    );
    // What education told the gateway stays between them.
    expect(own.body.extensions?.relatedChildren).toBeUndefined();
    expect(await mine()).toEqual([]);
    await view(others.slice(THRESHOLD - 1, THRESHOLD));
    expect(await mine()).toEqual([
      expect.objectContaining({
        kind: 'UNUSUAL_VOLUME',
        count: THRESHOLD + 1,
        threshold: THRESHOLD,
        detail: expect.stringContaining(`${THRESHOLD + 1} distinct children without a relationship`),
      }),
    ]);
  });

  describe('each agency tells the gateway which children the caller has a relationship with, from its own records', () => {
    type Child = ReturnType<typeof populationFor>['children'][number];
    type Population = ReturnType<typeof populationFor>;
    // Which children each persona has a relationship with, in the federation's population (60 children, seed 1).
    const cases: [string, PersonaName, string, (p: Population) => (c: Child) => boolean][] = [
      ['health', 'gp.smith', 'health { registeredGp { odsCode } }', () => (c) => c.health.odsCode === demoPersona('gp.smith').org],
      ['education', 'dsl.khan', 'education { attendanceRate }', () => (c) => c.education?.urn === demoPersona('dsl.khan').org],
      [
        'socialcare',
        'tm.patel',
        'socialCare { status }',
        (p) => {
          const team = p.directory.teams.find((t) => t.name === demoPersona('tm.patel').team)!.id;
          const inTeam = new Set(p.directory.workers.filter((w) => w.teamId === team).map((w) => w.id));
          return (c) => c.socialCare?.workerId != null && inTeam.has(c.socialCare.workerId);
        },
      ],
      // A landlord's relationship rests on housing's match of the child to a household member, which the synthetic
      // noise in housing's records can defeat: only matched children are related, so the expectation is an upper bound.
      [
        'housing',
        'ho.evans',
        'housing { matchConfidence }',
        (p) => {
          const landlordOf = new Map(p.households.map((h) => [h.id, h.tenancy?.landlordId]));
          return (c) => c.housing !== null && landlordOf.get(c.householdId) === demoPersona('ho.evans').org;
        },
      ],
    ];
    it.each(cases)('%s, for %s', async (agency, persona, selection, relatedIn) => {
      const population = populationFor({ children: 60, seed: 1, asOf: federation.asOf });
      const households = new Map(population.households.map((h) => [h.id, h]));
      const related = relatedIn(population);
      // The personas are declared `as const`: their readonly role lists are what a caller's are.
      const authority: Authority = { caller: demoPersona(persona), purpose: 'safeguarding', traceId: `related-${agency}` };
      const context = await createContextSigner({ privateJwk: federation.keys.gateway.privateJwk })(authority, agency);
      const representations = population.children.map((c) => ({
        __typename: 'Child',
        nhsNumber: c.nhsNumber,
        name: { given: c.given, family: c.family },
        dateOfBirth: c.dateOfBirth,
        address: { postcode: households.get(c.householdId)!.address.postcode },
        restricted: c.restricted,
      }));
      const { body } = await post(
        federation.agencies[agency]!.url,
        { query: `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Child { ${selection} } } }`, variables: { r: representations } },
        { [CONTEXT_HEADER]: context },
      );
      const reported: string[] = body.extensions?.relatedChildren ?? [];
      const expected = population.children.filter(related).map((c) => c.nhsNumber);
      expect(expected.length).toBeGreaterThan(0);
      if (agency === 'housing') {
        expect(reported.length).toBeGreaterThan(0);
        expect(reported.filter((n) => !expected.includes(n))).toEqual([]);
      } else {
        expect([...reported].sort()).toEqual([...expected].sort());
      }
    });
  });

  it("discloses nothing when an alert cannot be recorded, and records it with the caller's next request past the threshold", async () => {
    const identity = federation.agencies.identity!;
    const asking: Asking = { persona: 'ho.evans', purpose: 'safeguarding' };
    const numbers = syntheticNhsNumbers(20);
    const children = Array.from({ length: THRESHOLD + 2 }, () => numbers.next().value as string);
    const view = (n: string[]) => federation.queryGateway('query ($n: [ID!]!) { children(nhsNumbers: $n) { nhsNumber name { given } } }', { n }, asking);
    await identity.asOwner('REVOKE INSERT ON service.access_alert FROM identity_service');
    try {
      const refused = await view(children.slice(0, THRESHOLD + 1));
      expect(refused.status).toBe(500);
      expect(refused.body.data).toBeUndefined();
      expect(refused.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'AUDIT_UNAVAILABLE' } })]);
    } finally {
      await identity.asOwner('GRANT INSERT ON service.access_alert TO identity_service');
    }
    const answered = await view(children.slice(THRESHOLD + 1));
    expect(answered.body.errors).toBeUndefined();
    expect(answered.body.data.children).toHaveLength(1);
    const raised = ((await federation.queryGateway(alerts, {}, audit)).body.data.accessAlerts as { callerSub: string }[]).filter(
      (a) => a.callerSub === 'ho.evans',
    );
    expect(raised).toEqual([expect.objectContaining({ kind: 'UNUSUAL_VOLUME', count: THRESHOLD + 2 })]);
  });

  it("counts nothing the gateway withheld: a privacy officer's lookup outside an audit is refused, not viewed", async () => {
    const numbers = syntheticNhsNumbers(40);
    const children = Array.from({ length: THRESHOLD + 1 }, () => numbers.next().value as string);
    const { body } = await federation.queryGateway(
      'query ($n: [ID!]!) { children(nhsNumbers: $n) { nhsNumber } }',
      { n: children },
      { persona: 'cg.wright', purpose: 'safeguarding' },
    );
    expect(body.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([['children', 'FORBIDDEN']]);
    const raised = ((await federation.queryGateway(alerts, {}, audit)).body.data.accessAlerts as { callerSub: string }[]).filter(
      (a) => a.callerSub === 'cg.wright',
    );
    expect(raised).toEqual([]);
  });

  it('keeps one alert per caller, kind and hour, however often the gateway sends it', async () => {
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
    // The personas are declared `as const`: their readonly role lists are what a caller's are.
    const authority: Authority = {
      caller: demoPersona('tm.patel'),
      purpose: 'safeguarding',
      traceId: 'alert-twice',
      alerts: [
        {
          kind: 'UNUSUAL_VOLUME',
          hour,
          count: 101,
          threshold: 100,
          detail: 'viewed 101 distinct children without a relationship within the hour (more than 100)',
        },
      ],
    };
    const context = await createContextSigner({ privateJwk: federation.keys.gateway.privateJwk })(authority, 'identity');
    for (let i = 0; i < 2; i++) {
      const { body } = await post(federation.agencies.identity!.url, { query: 'mutation { recordAccessAlerts }' }, { [CONTEXT_HEADER]: context });
      expect(body).toEqual({ data: { recordAccessAlerts: 1 } });
    }
    const kept = ((await federation.queryGateway(alerts, {}, audit)).body.data.accessAlerts as { callerSub: string }[]).filter(
      (a) => a.callerSub === 'tm.patel',
    );
    expect(kept).toEqual([expect.objectContaining({ kind: 'UNUSUAL_VOLUME', count: 101 })]);
  });

  it('keeps recordAccessAlerts to the gateway: clients cannot ask for it', async () => {
    const { body } = await federation.queryGateway('mutation { recordAccessAlerts }', {}, { persona: 'sw.jones', purpose: 'safeguarding' });
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('raises an alert when a caller searches far more than their peers', async () => {
    const search = (given: string) => `{ searchChildren(given: "${given}", family: "Hart", dateOfBirth: "2019-01-01", fuzzy: true) { score } }`;
    await federation.queryGateway(search('Peer'), {}, { persona: 'gp.smith', purpose: 'direct-care' });
    for (const letter of 'abcd') await federation.queryGateway(search(`Name${letter}`), {}, { persona: 'dr.lee', purpose: 'emergency-care' });
    const quiet = (await federation.queryGateway(alerts, {}, audit)).body.data.accessAlerts;
    expect(quiet.filter((a: { kind: string }) => a.kind === 'UNUSUAL_SEARCHING')).toEqual([]);
    await federation.queryGateway(search('Namee'), {}, { persona: 'dr.lee', purpose: 'emergency-care' });
    const raised = (await federation.queryGateway(alerts, {}, audit)).body.data.accessAlerts;
    expect(raised.filter((a: { kind: string }) => a.kind === 'UNUSUAL_SEARCHING')).toEqual([
      expect.objectContaining({ kind: 'UNUSUAL_SEARCHING', callerSub: 'dr.lee', count: 5 }),
    ]);
  });

  it('keeps no record value in the shared state: keys and counters only', async () => {
    const held = await federation.sharedState();
    const text = JSON.stringify(held);
    expect(held.length).toBeGreaterThan(0);
    for (const value of [AMELIA, 'Amelia', 'Hart', 'NS1 4AB', 'CHILD_PROTECTION_PLAN', 'sw.ahmed', 'dr.lee']) expect(text).not.toContain(value);
  });
});
