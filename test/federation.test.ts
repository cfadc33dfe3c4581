import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeSupergraph, loadGatewayConfig, startGateway } from '../gateway';
import { createLogger, readAgencySdl } from '../shared';
import { backends, post, startFederation, type Federation } from './start-federation';

const demoQuery = `{ child(nhsNumber: "9990000018") { name { given family } dateOfBirth
  health { registeredGp { practiceName } immunisations { vaccine date } }
  socialCare { status allocatedWorker { name } }
  housing { matchConfidence tenancy { address type } }
  education { school { name } attendanceRate } } }`;

describe.each(backends)('the federated graph on %s', (backend) => {
  let federation: Federation;
  beforeAll(async () => {
    federation = await startFederation({ backend, children: 600 });
  }, 120_000);
  afterAll(() => federation?.stop());

  it('answers the demo query with data assembled from all five subgraphs', async () => {
    const { status, body } = await federation.queryGateway(demoQuery);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const child = body.data.child;
    expect(child.name).toEqual({ given: 'Amelia', family: 'Hart' });
    expect(child.health.registeredGp.practiceName).toBe('Riverside Surgery');
    expect(child.health.immunisations.length).toBeGreaterThan(0);
    expect(child.socialCare).toEqual({ status: 'CHILD_PROTECTION_PLAN', allocatedWorker: { name: 'Sam Jones' } });
    expect(child.housing.matchConfidence).toBe(1);
    expect(child.housing.tenancy).toEqual({ address: '14 Mill Lane, Northshire, NS1 4AB', type: 'SECURE' });
    expect(child.education).toEqual({ school: { name: 'Northshire Primary School' }, attendanceRate: 84.5 });
  });

  it('gives each demo child the picture the seed describes', async () => {
    const { body } = await federation.queryGateway(`{ children(nhsNumbers: ["9990000018", "9990000026", "9990000034", "9990000042", "9990000050"]) {
      nhsNumber name { given } restricted
      health { registeredGp { odsCode } emergencyAttendances { date } conditions { name } }
      socialCare { status allocatedWorker { name team } }
      housing { matchConfidence household { name } }
      education { school { urn } } } }`);
    // Maya's record is restricted: her school and her household are withheld, visibly. Her address was not
    // asked for: the gateway fetched it only for housing, identity withheld it, and that denial is not the client's.
    expect(body.errors!.map((e) => [e.path!.join('.'), e.extensions!.code, e.extensions!.policy]).sort()).toEqual([
      ['children.2.education.school', 'FORBIDDEN', 'education:school'],
      ['children.2.housing', 'FORBIDDEN', 'housing:record'],
    ]);
    expect(body.data.children[2].housing).toBeNull();
    const [amelia, leo, maya, noah, isla] = body.data.children;
    const sixMonthsAgo = new Date(Date.parse(federation.asOf) - 183 * 86_400_000).toISOString().slice(0, 10);
    expect(amelia.health.emergencyAttendances.filter((a: { date: string }) => a.date >= sixMonthsAgo)).toHaveLength(3);
    expect(leo).toMatchObject({
      name: { given: 'Leo' },
      health: { registeredGp: { odsCode: 'Y00001' } },
      socialCare: { status: 'CHILD_IN_NEED' },
      education: null,
    });
    expect(leo.housing.household.map((m: { name: string }) => m.name)).toEqual(amelia.housing.household.map((m: { name: string }) => m.name));
    expect(maya).toMatchObject({
      restricted: true,
      socialCare: { status: 'LOOKED_AFTER', allocatedWorker: { name: 'Priya Ahmed', team: 'Children in Care' } },
    });
    // Noah's housing record is misspelt with day and month swapped: only a possible match, with no household data.
    expect(noah).toMatchObject({ socialCare: null, housing: { matchConfidence: null, household: null }, education: { school: { urn: '100001' } } });
    expect(noah.health.registeredGp.odsCode).not.toBe('Y00001');
    expect(isla.health.conditions).toEqual([{ name: 'Asthma' }]);
  });

  it("withholds a restricted child's address from everyone", async () => {
    const { body } = await federation.queryGateway('{ child(nhsNumber: "9990000034") { restricted address { line1 postcode } } }');
    expect(body.data.child).toEqual({ restricted: true, address: null });
  });

  it.each([['2019-02-30'], ['14/05/2019'], ['2019-13-01']])('refuses the search date of birth %s with BAD_USER_INPUT', async (dateOfBirth) => {
    const { body } = await federation.queryGateway('query ($d: String) { searchChildren(family: "Hart", dateOfBirth: $d) { score } }', { d: dateOfBirth });
    expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.message).toContain('dateOfBirth');
  });

  it('never finds a restricted child by postcode, so guessing postcodes reveals nothing', async () => {
    const { body: maya } = await federation.queryGateway('{ child(nhsNumber: "9990000034") { dateOfBirth } }');
    const search = 'query ($d: String, $p: String) { searchChildren(family: "Okafor", dateOfBirth: $d, postcode: $p) { child { nhsNumber } } }';
    const withPostcode = await federation.queryGateway(search, { d: maya.data.child.dateOfBirth, p: 'NS3 2LP' });
    expect(withPostcode.body.data.searchChildren).toEqual([]);
    const without = await federation.queryGateway(search, { d: maya.data.child.dateOfBirth, p: null });
    expect(without.body.data.searchChildren).toEqual([{ child: { nhsNumber: '9990000034' } }]);
  });

  it('finds a child by exact demographics', async () => {
    const { body: first } = await federation.queryGateway('{ child(nhsNumber: "9990000018") { dateOfBirth } }');
    const { body } = await federation.queryGateway(
      'query ($d: String) { searchChildren(family: "HART", given: "amelia", dateOfBirth: $d) { score matchedOn child { nhsNumber } } }',
      { d: first.data.child.dateOfBirth },
    );
    expect(body.data.searchChildren).toEqual([{ score: 1, matchedOn: ['givenName', 'familyName', 'dateOfBirth'], child: { nhsNumber: '9990000018' } }]);
  });

  it('returns null for an unknown child, not an error', async () => {
    const { body } = await federation.queryGateway('{ child(nhsNumber: "9999999999") { nhsNumber health { conditions { name } } } }');
    expect(body.errors).toBeUndefined();
    expect(body.data.child).toBeNull();
  });

  it.each([
    ['999000001', 'must be exactly 10 digits'],
    ['99900000AB', 'must be exactly 10 digits'],
    ['9990000019', 'Modulus 11'],
  ])('refuses the NHS number %s with BAD_USER_INPUT naming the rule', async (nhsNumber, rule) => {
    const { body } = await federation.queryGateway('query ($n: ID!) { child(nhsNumber: $n) { nhsNumber } }', { n: nhsNumber });
    expect(body.data.child).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.message).toContain(rule);
    expect(body.errors![0]!.extensions!.stacktrace).toBeUndefined();
  });

  it('refuses more than 500 NHS numbers in one call', async () => {
    const { body } = await federation.queryGateway('query ($n: [ID!]!) { children(nhsNumbers: $n) { nhsNumber } }', { n: Array(501).fill('9990000018') });
    // The gateway's limit on children in one operation refuses it before identity's own check on one call.
    expect(body.errors![0]!.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', limit: 'children', max: 500 });
    expect(body.errors![0]!.message).toContain('at most 500');
  });

  it('answers GET /health on the gateway and every subgraph', async () => {
    const urls = [federation.gatewayUrl, ...Object.values(federation.agencies).map((a) => a.url)];
    const statuses = await Promise.all(urls.map(async (url) => (await fetch(url.replace('/graphql', '/health'))).status));
    expect(statuses).toEqual(urls.map(() => 200));
  });

  it('masks unexpected errors without a stack trace', async () => {
    const { body } = await federation.queryGateway('{ child(nhsNumber: "9990000018") { nope } }');
    expect(body.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(body)).not.toMatch(/stacktrace|at .*\.ts:\d+/);
    const direct = await post(federation.agencies.identity!.url, { query: '{ child(nhsNumber: "9990000018") { nope } }' });
    expect(direct.body.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    expect(JSON.stringify(direct.body)).not.toContain('stacktrace');
  });

  it('serves the same graph from a second gateway started from a composed supergraph file', async () => {
    const env = Object.fromEntries(Object.entries(federation.agencies).map(([name, a]) => [`${name.toUpperCase()}_URL`, a.url]));
    const sources = Object.entries(federation.agencies).map(([name, a]) => ({
      name,
      url: a.url,
      sdl: readAgencySdl(join(__dirname, '..', 'subgraphs', name), name),
    }));
    const supergraphPath = join(mkdtempSync(join(tmpdir(), 'cv-')), 'supergraph.graphql');
    writeFileSync(supergraphPath, composeSupergraph(sources));
    const dir = mkdtempSync(join(tmpdir(), 'cv-keys-'));
    writeFileSync(join(dir, 'idp.jwks.json'), JSON.stringify(federation.keys.personas.publicJwks));
    writeFileSync(join(dir, 'gateway.jwk.json'), JSON.stringify(federation.keys.gateway.privateJwk));
    const config = loadGatewayConfig({
      ...env,
      PORT: '0',
      SUPERGRAPH_PATH: supergraphPath,
      AUTH_JWKS_PATH: join(dir, 'idp.jwks.json'),
      GATEWAY_SIGNING_KEY_PATH: join(dir, 'gateway.jwk.json'),
      // Its own log, in the test's folder: the checkout's ./data belongs to npm start.
      GATEWAY_AUDIT_PATH: join(dir, 'gateway-audit.jsonl'),
      // This test's operation is free-form, as the first gateway's are.
      TRUSTED_DOCUMENTS: 'allow',
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    });
    const checkoutLog = join(__dirname, '..', 'data', 'gateway', 'audit.jsonl');
    const checkoutLogSize = () => (existsSync(checkoutLog) ? statSync(checkoutLog).size : -1);
    const before = checkoutLogSize();
    const second = await startGateway(config, createLogger('second-gateway', 'silent'));
    try {
      const query = '{ child(nhsNumber: "9990000026") { name { given } socialCare { status } } }';
      const first = await federation.queryGateway(query);
      const again = await post(second.url, { query }, await federation.authHeaders());
      expect(again.body).toEqual(first.body);
      expect(again.body.data.child).toEqual({ name: { given: 'Leo' }, socialCare: { status: 'CHILD_IN_NEED' } });
    } finally {
      await second.stop();
    }
    expect(readFileSync(join(dir, 'gateway-audit.jsonl'), 'utf8')).toContain('"children":["9990000026"]');
    expect(checkoutLogSize()).toBe(before);
  });
});
