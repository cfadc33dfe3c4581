import type { PersonaName } from '../dev/personas';
import type { AuditEntry } from '../shared';
import { populationFor } from '../synthetic';
import { backends, startFederation, type Federation } from './start-federation';

/**
 * `Query.myCaseload` through the gateway: the caller's allocated children, policed by `socialcare:caseload`
 * and audited by social care like every other disclosure.
 */
const CHILDREN = 200;
const caseload = `query MyCaseload { myCaseload { nhsNumber name { given family } socialCare { status allocatedWorker { name } } } }`;

/** What the seed allocates to each of these workers (by worker id), from the same population the agencies were seeded with. */
function expectedCaseload(asOf: string, workerIds: string[]): string[] {
  return populationFor({ children: CHILDREN, seed: 1, asOf })
    .children.filter((c) => c.socialCare?.workerId && workerIds.includes(c.socialCare.workerId))
    .map((c) => c.nhsNumber)
    .sort();
}

function teamWorkerIds(asOf: string, login: string): string[] {
  const { workers } = populationFor({ children: CHILDREN, seed: 1, asOf }).directory;
  const teamId = workers.find((w) => w.login === login)!.teamId;
  return workers.filter((w) => w.teamId === teamId).map((w) => w.id);
}

describe.each(backends)("the caller's caseload on %s", (backend) => {
  let federation: Federation;
  beforeAll(async () => {
    federation = await startFederation({ backend, children: CHILDREN });
  }, 120_000);
  afterAll(() => federation?.stop());

  const numbers = (body: { data?: { myCaseload?: { nhsNumber: string }[] | null } }) => (body.data?.myCaseload ?? []).map((c) => c.nhsNumber).sort();

  it("gives a social worker the children allocated to them, with the other agencies' fields", async () => {
    const { body } = await federation.queryGateway(caseload, {}, { persona: 'sw.jones', purpose: 'safeguarding' });
    expect(body.errors).toBeUndefined();
    expect(numbers(body)).toEqual(expectedCaseload(federation.asOf, ['W001']));
    expect(numbers(body)).toContain('9990000018');
    const amelia = body.data.myCaseload.find((c: { nhsNumber: string }) => c.nhsNumber === '9990000018');
    expect(amelia).toEqual({
      nhsNumber: '9990000018',
      name: { given: 'Amelia', family: 'Hart' },
      socialCare: { status: 'CHILD_PROTECTION_PLAN', allocatedWorker: { name: 'Sam Jones' } },
    });
  });

  it('gives another social worker only their own children', async () => {
    const { body } = await federation.queryGateway(caseload, {}, { persona: 'sw.ahmed', purpose: 'direct-care' });
    expect(body.errors).toBeUndefined();
    expect(numbers(body)).toEqual(expectedCaseload(federation.asOf, ['W002']));
    expect(numbers(body)).not.toContain('9990000018');
  });

  it('gives a team manager every child allocated to a worker in their team', async () => {
    const { body } = await federation.queryGateway(caseload, {}, { persona: 'tm.patel', purpose: 'safeguarding' });
    expect(body.errors).toBeUndefined();
    const expected = expectedCaseload(federation.asOf, teamWorkerIds(federation.asOf, 'tm.patel'));
    expect(numbers(body)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(expectedCaseload(federation.asOf, ['W001']).length);
    expect(numbers(body)).not.toContain('9990000034');
  });

  it.each<[PersonaName, string]>([
    ['gp.smith', 'direct-care'],
    ['dr.lee', 'emergency-care'],
    ['dsl.khan', 'safeguarding'],
    ['ho.evans', 'safeguarding'],
    ['cg.wright', 'safeguarding'],
    ['sw.jones', 'emergency-care'],
  ])('refuses %s for %s, and gives nothing away', async (persona, purpose) => {
    const { body } = await federation.queryGateway(caseload, {}, { persona, purpose });
    expect(body.data?.myCaseload ?? null).toBeNull();
    expect(body.errors?.map((e) => ({ code: e.extensions?.code, policy: e.extensions?.policy, path: e.path }))).toEqual([
      { code: 'FORBIDDEN', policy: 'socialcare:caseload', path: ['myCaseload'] },
    ]);
    expect(JSON.stringify(body)).not.toMatch(/99900000|Amelia|Hart/);
  });

  it('is audited by social care: who asked, and each child listed', async () => {
    const { body } = await federation.queryGateway(caseload, {}, { persona: 'sw.jones', purpose: 'safeguarding' });
    expect(body.errors).toBeUndefined();
    const [row] = await federation.agencies.socialcare!.query<{ entry: AuditEntry }>('SELECT entry FROM service.audit_entry ORDER BY seq DESC LIMIT 1');
    const entry = row!.entry;
    expect(entry.caller.sub).toBe('sw.jones');
    // The gateway names the operation it sends each subgraph after the client's.
    expect(entry.operation).toEqual({ type: 'query', name: expect.stringMatching(/^MyCaseload__socialcare__/) });
    expect(entry.children.map((c) => c.nhsNumber).sort()).toEqual(numbers(body));
    // The basis names the policies of the fields given below each child, and the caseload policy, by which the list itself was given.
    expect(entry.children.find((c) => c.nhsNumber === '9990000018')!.disclosed).toContain('socialCare.status');
    expect(entry.basis.policies).toEqual(expect.arrayContaining(['socialcare:caseload', 'socialcare:status']));
  });

  it('is audited even when only the NHS numbers are asked for: who a worker holds is itself a disclosure', async () => {
    const { body } = await federation.queryGateway('query JustNumbers { myCaseload { nhsNumber } }', {}, { persona: 'tm.patel', purpose: 'direct-care' });
    expect(body.errors).toBeUndefined();
    const [row] = await federation.agencies.socialcare!.query<{ entry: AuditEntry }>('SELECT entry FROM service.audit_entry ORDER BY seq DESC LIMIT 1');
    expect(row!.entry.caller.sub).toBe('tm.patel');
    expect(row!.entry.children.map((c) => c.nhsNumber).sort()).toEqual(numbers(body));
    expect(row!.entry.basis.policies).toEqual(['socialcare:caseload']);
  });
});

describe('a full caseload', () => {
  let federation: Federation;
  beforeAll(async () => {
    federation = await startFederation({ children: 600, caseload: { worker: 'sw.ahmed', children: 500 } });
  }, 120_000);
  afterAll(() => federation?.stop());

  it("lists 500 children, each with every agency's part, in one request to social care", async () => {
    federation.resetCounts();
    const { body } = await federation.queryGateway(caseload, {}, { persona: 'sw.ahmed', purpose: 'safeguarding' });
    expect(body.errors).toBeUndefined();
    expect(body.data.myCaseload).toHaveLength(500);
    expect(body.data.myCaseload.map((c: { nhsNumber: string }) => c.nhsNumber)).toContain('9990000034');
    expect(new Set(body.data.myCaseload.map((c: { nhsNumber: string }) => c.nhsNumber)).size).toBe(500);
    expect(body.data.myCaseload.every((c: { socialCare: { allocatedWorker: { name: string } } }) => c.socialCare.allocatedWorker.name === 'Priya Ahmed')).toBe(
      true,
    );
    expect(federation.agencies.socialcare!.requests()).toBe(1);
  });

  it('takes no child from another worker to fill it', async () => {
    const { body } = await federation.queryGateway(caseload, {}, { persona: 'sw.jones', purpose: 'safeguarding' });
    expect(body.data.myCaseload.map((c: { nhsNumber: string }) => c.nhsNumber).sort()).toEqual(['9990000018', '9990000026']);
  });
});
