import { syntheticNhsNumbers } from '../synthetic';
import { startFederation, type Asking, type Federation } from './start-federation';

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

  it('notifies the child\'s local authority when someone outside it reads the social care status, and only then', async () => {
    await federation.queryGateway(status(AMELIA), {}, { persona: 'sw.jones', purpose: 'safeguarding' });
    await federation.queryGateway(status(AMELIA), {}, { persona: 'gp.smith', purpose: 'direct-care' });
    await federation.queryGateway(status(AMELIA), {}, { persona: 'dsl.khan', purpose: 'safeguarding' });
    const { body } = await federation.queryGateway(notifications, {}, { persona: 'tm.patel', purpose: 'safeguarding' });
    expect(body.errors).toBeUndefined();
    expect(body.data.accessNotifications).toEqual([
      { nhsNumber: AMELIA, viewedBy: 'Farah Khan', organisation: '100001', roles: ['school-dsl'], purpose: 'safeguarding' },
      { nhsNumber: AMELIA, viewedBy: 'Dr Alex Smith', organisation: 'Y00001', roles: ['gp'], purpose: 'direct-care' },
    ].map((n) => expect.objectContaining(n)));
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
      { kind: 'UNUSUAL_VOLUME', callerSub: 'sw.ahmed', count: THRESHOLD + 1, threshold: THRESHOLD, detail: expect.stringContaining(`${THRESHOLD + 1} distinct children`) },
    ]);
  });

  it('raises an alert when a caller searches far more than their peers', async () => {
    const search = (given: string) => `{ searchChildren(given: "${given}", family: "Hart", dateOfBirth: "2019-01-01", fuzzy: true) { score } }`;
    await federation.queryGateway(search('Peer'), {}, { persona: 'gp.smith', purpose: 'direct-care' });
    for (let i = 0; i < 4; i++) await federation.queryGateway(search(`Name${i}`), {}, { persona: 'dr.lee', purpose: 'emergency-care' });
    const quiet = (await federation.queryGateway(alerts, {}, audit)).body.data.accessAlerts;
    expect(quiet.filter((a: { kind: string }) => a.kind === 'UNUSUAL_SEARCHING')).toEqual([]);
    await federation.queryGateway(search('Name5'), {}, { persona: 'dr.lee', purpose: 'emergency-care' });
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
