import { createHash } from 'node:crypto';
import { syntheticNhsNumbers } from '../synthetic';
import { backends, startFederation, type Federation } from './start-federation';

const caseloadQuery = `query Caseload($n: [ID!]!) { children(nhsNumbers: $n) {
  nhsNumber name { given family } dateOfBirth address { postcode }
  health { registeredGp { practiceName } healthVisitor { name } immunisations { vaccine } emergencyAttendances { date } conditions { name } }
  socialCare { status localAuthority { name } allocatedWorker { name } referrals { date } caseNotes { date } }
  housing { matchConfidence tenancy { landlord } household { name } antisocialBehaviourCases { date } rentArrears }
  education { school { name designatedSafeguardingLead { name } } attendanceRate exclusions { date } } } }`;

function firstNhsNumbers(count: number): string[] {
  const demo = ['9990000018', '9990000026', '9990000034', '9990000042', '9990000050'];
  const rest = syntheticNhsNumbers(6);
  while (demo.length < count) demo.push(rest.next().value as string);
  return demo;
}

describe.each(backends)('a 500-child caseload on %s', (backend) => {
  let federation: Federation;
  beforeAll(async () => {
    federation = await startFederation({ backend, children: 600 });
  }, 120_000);
  afterAll(() => federation?.stop());

  it('sends one request to each subgraph, whatever the list length', async () => {
    const requests = () => Object.fromEntries(Object.entries(federation.agencies).map(([name, a]) => [name, a.requests()]));
    // 500 children, few of them sw.jones's, is unusual access: the first view of the hour also has the gateway
    // record the alert with identity.
    federation.resetCounts();
    await federation.queryGateway(caseloadQuery, { n: firstNhsNumbers(500) });
    expect(requests()).toEqual({ identity: 2, health: 1, socialcare: 1, housing: 1, education: 1, police: 0 });
    federation.resetCounts();
    const { body } = await federation.queryGateway(caseloadQuery, { n: firstNhsNumbers(500) });
    // sw.jones is allocated to few of these children: the rest of the case notes are FORBIDDEN, nothing else fails.
    expect((body.errors ?? []).filter((e) => e.extensions!.code !== 'FORBIDDEN')).toEqual([]);
    expect((body.errors ?? []).filter((e) => e.extensions!.policy === 'socialcare:case-notes').length).toBeGreaterThan(10);
    expect(body.data.children).toHaveLength(500);
    expect(body.data.children.filter((c: { housing: unknown }) => c.housing).length).toBeGreaterThan(50);
    expect(requests()).toEqual({ identity: 1, health: 1, socialcare: 1, housing: 1, education: 1, police: 0 });
  });

  it('runs one SQL statement per loader per batch in each subgraph', async () => {
    federation.resetCounts();
    await federation.queryGateway(caseloadQuery, { n: firstNhsNumbers(500) });
    const statements = Object.fromEntries(Object.entries(federation.agencies).map(([name, a]) => [name, a.statements()]));
    // identity: children; health: record, immunisations, attendances, conditions; social care: record,
    // referrals, case notes; housing: match, household, anti-social behaviour; education: record, exclusions;
    // and in each agency one more, appending the disclosure to its audit log. A social worker of the children's
    // own authority reads their status: social care has nothing to notify, so runs no statement for it.
    // The caseload asks nothing of the police, who are not called.
    expect(statements).toEqual({ identity: 2, health: 5, socialcare: 4, housing: 4, education: 3, police: 0 });
  });

  it('costs social care one statement more, for all the notifications, when a reader outside the authority sees the status', async () => {
    federation.resetCounts();
    const { body } = await federation.queryGateway(caseloadQuery, { n: firstNhsNumbers(500) }, { persona: 'gp.smith', purpose: 'direct-care' });
    expect(body.data.children.filter((c: { socialCare: { status: string | null } | null }) => c.socialCare?.status).length).toBeGreaterThan(10);
    // The record, the audit append and one statement for all the notifications (referrals and case notes are
    // not the GP's to see, so are never fetched).
    expect(federation.agencies.socialcare!.statements()).toBe(3);
    const notified = await federation.agencies.socialcare!.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM service.access_notification WHERE caller_sub = 'gp.smith'",
    );
    expect(Number(notified[0]!.n)).toBeGreaterThan(10);
  });

  it('costs the same number of statements for 5 children as for 500', async () => {
    federation.resetCounts();
    await federation.queryGateway(caseloadQuery, { n: firstNhsNumbers(5) });
    const small = Object.values(federation.agencies).map((a) => a.statements());
    federation.resetCounts();
    await federation.queryGateway(caseloadQuery, { n: firstNhsNumbers(500) });
    expect(Object.values(federation.agencies).map((a) => a.statements())).toEqual(small);
  });

  it('keeps no record value in the gateway: not in its shared state, not in its query plans', async () => {
    const query =
      'query View($n: ID!) { child(nhsNumber: $n) { name { given family } dateOfBirth health { registeredGp { practiceName } } socialCare { allocatedWorker { name phone } } housing { tenancy { address } } education { school { name } } } }';
    const literal = '{ child(nhsNumber: "9990000026") { name { given } health { registeredGp { practiceName } } } }';
    const apq = (text: string | undefined, variables?: Record<string, unknown>, source = query) =>
      federation
        .authHeaders()
        .then((auth) =>
          fetch(federation.gatewayUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...auth },
            body: JSON.stringify({
              query: text,
              variables,
              extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(source).digest('hex') } },
            }),
          }),
        )
        .then((r) => r.json() as Promise<{ data?: unknown; errors?: { extensions: { code: string } }[] }>);
    // An operation that passes the NHS number as a variable is persisted and can be run by its hash.
    const registered = await apq(query, { n: '9990000018' });
    const byHash = await apq(undefined, { n: '9990000018' });
    expect(byHash.data).toEqual(registered.data);
    // One with the NHS number written into its text runs, but is not kept.
    expect((await apq(literal, undefined, literal)).data).toBeTruthy();
    expect((await apq(undefined, undefined, literal)).errors![0]!.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    await federation.queryGateway(caseloadQuery, { n: firstNhsNumbers(500) });

    const values = new Set<string>();
    collectLeaves(registered.data, values);
    const recordValues = [...values].filter((v) => v.length >= 4);
    expect(recordValues).toEqual(expect.arrayContaining(['Riverside Surgery', 'Sam Jones', '14 Mill Lane, Northshire, NS1 4AB']));

    const state = JSON.stringify(await federation.sharedState());
    expect(state).toContain('child(nhsNumber: $n)');
    for (const value of [...recordValues, '9990000018', '9990000026']) expect(state).not.toContain(value);
    const planStore = (federation.gateway.gateway as unknown as { queryPlanStore: { keys(): string[]; get(k: string): Promise<unknown> } }).queryPlanStore;
    const plans = JSON.stringify(await Promise.all(planStore.keys().map((k) => planStore.get(k))));
    expect(plans).toContain('_entities');
    for (const value of recordValues) expect(plans).not.toContain(value);
  });

  it('still answers when an agency is down, with an error naming the agency', async () => {
    await federation.agencies.health!.stop();
    const { body } = await federation.queryGateway(
      '{ child(nhsNumber: "9990000018") { name { given } health { registeredGp { practiceName } } socialCare { status } } }',
    );
    expect(body.data.child).toEqual({ name: { given: 'Amelia' }, health: null, socialCare: { status: 'CHILD_PROTECTION_PLAN' } });
    expect(body.errors).toEqual([expect.objectContaining({ extensions: { code: 'AGENCY_UNAVAILABLE', agency: 'health' } })]);
    expect(body.errors![0]!.message).toContain('health');
  });

  it("assembles no access log timeline while an agency is down, and says which, with the other agencies' parts", async () => {
    // Health is still down (above): the gateway cannot hand identity health's part, so there is no timeline.
    const { body } = await federation.queryGateway(
      '{ child(nhsNumber: "9990000018") { accessLog { entries { agency } identity { agency } socialcare { agency } } } }',
      undefined,
      { persona: 'cg.wright', purpose: 'audit' },
    );
    expect(body.data.child.accessLog.entries).toBeNull();
    expect(body.data.child.accessLog.identity.length).toBeGreaterThan(0);
    expect(body.data.child.accessLog.socialcare.length).toBeGreaterThan(0);
    expect(body.errors).toContainEqual(expect.objectContaining({ extensions: { code: 'AGENCY_UNAVAILABLE', agency: 'health' } }));
  });
});

function collectLeaves(value: unknown, into: Set<string>): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'object') for (const v of Object.values(value)) collectLeaves(v, into);
  else into.add(typeof value === 'string' ? value : JSON.stringify(value)); // a JSON leaf: a number or boolean as String gives it
}
