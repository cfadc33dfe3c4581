import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_AUDIENCE, DEV_ISSUER, demoPersona } from '../dev/personas';
import { composeFromSubgraphs, createAuthenticator, createGateway, DEFAULT_POLICY_FILES } from '../gateway';
import {
  CONTEXT_HEADER,
  countTokens,
  createContextSigner,
  createLogger,
  createSdlRequestSigner,
  DEFAULT_OPERATION_LIMITS,
  loadPolicies,
  type Authority,
  type HttpService,
  type OperationLimit,
} from '../shared';
import { syntheticNhsNumbers } from '../synthetic';
import { post, startFederation, type Federation, type GraphQLResponse } from './start-federation';

const AMELIA = '9990000018';
const max = DEFAULT_OPERATION_LIMITS;

/** `count` NHS numbers of the seeded population (the first is Amelia's). */
function nhsNumbers(count: number): string[] {
  const numbers = syntheticNhsNumbers(6);
  return [AMELIA, ...Array.from({ length: count - 1 }, () => numbers.next().value as string)];
}

const repeat = (count: number, item: (i: number) => string) => Array.from({ length: count }, (_, i) => item(i)).join(' ');

/** An operation of exactly `tokens` tokens: one child, with an unused default list as long as it takes. */
function operationOfTokens(tokens: number): string {
  const withPadding = (n: number) => `query ($n: [ID!] = [${repeat(n, () => '"x"')}]) { children(nhsNumbers: $n) { nhsNumber } }`;
  return withPadding(tokens - countTokens(withPadding(0), tokens));
}

/** 31 fragments, each spreading the next twice: 2³⁰ copies of the last once inlined, in 1.5 KB. */
function exponentialFragments(): string {
  const fragments = repeat(31, (i) =>
    i < 30 ? `fragment F${i} on Child { name { given } ...F${i + 1} ...F${i + 1} }` : `fragment F${i} on Child { nhsNumber }`,
  );
  return `{ child(nhsNumber: "${AMELIA}") { ...F0 } } ${fragments}`;
}

describe('limits on every operation', () => {
  let federation: Federation;
  /** A gateway over the same agencies with a depth limit the schema can exceed (the default, 8, is deeper than it goes). */
  let shallow: HttpService;
  beforeAll(async () => {
    federation = await startFederation({ children: 600 });
    const subgraphs = Object.entries(federation.agencies).map(([name, a]) => ({ name, url: a.url }));
    shallow = await createGateway({
      supergraphSdl: await composeFromSubgraphs(subgraphs, 5_000, createSdlRequestSigner({ privateJwk: federation.keys.gateway.privateJwk })),
      logger: createLogger('shallow', 'silent'),
      authenticate: createAuthenticator({ keys: federation.keys.personas.publicJwks, issuer: DEV_ISSUER, audience: DEV_AUDIENCE }),
      signContext: createContextSigner({ privateJwk: federation.keys.gateway.privateJwk }),
      policies: loadPolicies(DEFAULT_POLICY_FILES),
      auditPath: join(mkdtempSync(join(tmpdir(), 'cv-limits-')), 'gateway-audit.jsonl'),
      operationLimits: { ...DEFAULT_OPERATION_LIMITS, depth: 5 },
      trustedDocuments: { mode: 'allow', manifests: new Map() },
    }).listen(0);
  }, 120_000);
  afterAll(async () => {
    await shallow?.close();
    await federation?.stop();
  });

  const requests = () => Object.values(federation.agencies).reduce((n, a) => n + a.requests(), 0);
  const auditLines = () => readFileSync(federation.gatewayAuditPath, 'utf8').split('\n').filter(Boolean).length;

  async function expectAnswered(response: Promise<GraphQLResponse>): Promise<void> {
    federation.resetCounts();
    const { status, body } = await response;
    expect((body.errors ?? []).filter((e) => e.extensions?.code !== 'FORBIDDEN')).toEqual([]);
    expect([status, body.data === null || body.data === undefined]).toEqual([200, false]);
    expect(requests()).toBeGreaterThan(0);
  }

  async function expectRefused(response: () => Promise<GraphQLResponse>, limit: OperationLimit, limitMax: number = max[limit]): Promise<void> {
    const logged = auditLines();
    federation.resetCounts();
    const { status, body } = await response();
    expect(body).toEqual({
      errors: [
        { message: expect.stringContaining(`the limit on ${limit} (at most ${limitMax})`), extensions: { code: 'QUERY_TOO_COMPLEX', limit, max: limitMax } },
      ],
    });
    // Refused before authorisation, the audit log and the planner: no agency was asked anything.
    expect([status, requests(), auditLines()]).toEqual([400, 0, logged]);
  }

  const ask = (query: string, variables?: Record<string, unknown>) => federation.queryGateway(query, variables);

  it('takes an operation of as many tokens as the limit, and refuses one more before parsing it', async () => {
    expect(countTokens(operationOfTokens(max.tokens), Infinity)).toBe(max.tokens);
    await expectAnswered(ask(operationOfTokens(max.tokens), { n: [AMELIA] }));
    await expectRefused(() => ask(operationOfTokens(max.tokens + 1), { n: [AMELIA] }), 'tokens');
  });

  it('takes the deepest operation under the depth limit and refuses one a level deeper', async () => {
    const school = '{ education { school { designatedSafeguardingLead { name } } } }';
    const headers = await federation.authHeaders();
    await expectAnswered(post(shallow.url, { query: `{ child(nhsNumber: "${AMELIA}") ${school} }` }, headers));
    await expectRefused(
      () => post(shallow.url, { query: `{ searchChildren(family: "Hart", dateOfBirth: "2019-05-14") { child ${school} } }` }, headers),
      'depth',
      5,
    );
    // The default is deeper than the schema goes: the same operation passes.
    await expectAnswered(ask(`{ searchChildren(family: "Hart", dateOfBirth: "2019-05-14") { child ${school} } }`));
  });

  it.each([
    ['aliases', (n: number) => `{ child(nhsNumber: "${AMELIA}") { ${repeat(n, (i) => `a${i}: nhsNumber`)} } }`],
    ['directives', (n: number) => `{ child(nhsNumber: "${AMELIA}") { ${repeat(n, () => 'nhsNumber @include(if: true)')} } }`],
    ['rootFields', (n: number) => `{ ${repeat(n, (i) => `r${i}: child(nhsNumber: "${AMELIA}") { nhsNumber }`)} }`],
    // The child field and n - 1 fields in it.
    ['selections', (n: number) => `{ child(nhsNumber: "${AMELIA}") { ${repeat(n - 1, () => 'nhsNumber')} } }`],
  ] as const)('takes as many %s as the limit, and refuses one more', async (limit, operation) => {
    await expectAnswered(ask(operation(max[limit])));
    await expectRefused(() => ask(operation(max[limit] + 1)), limit);
  });

  it('takes as many children as the limit, and refuses one more, across every root field and alias', async () => {
    const caseload = 'query ($n: [ID!]!) { children(nhsNumbers: $n) { nhsNumber } }';
    await expectAnswered(ask(caseload, { n: nhsNumbers(max.children) }));
    await expectRefused(() => ask(caseload, { n: nhsNumbers(max.children + 1) }), 'children');
    const split = nhsNumbers(max.children + 1);
    const half = Math.floor(split.length / 2);
    const twoLists = 'query ($a: [ID!]!, $b: [ID!]!) { a: children(nhsNumbers: $a) { nhsNumber } b: children(nhsNumbers: $b) { nhsNumber } }';
    await expectRefused(() => ask(twoLists, { a: split.slice(0, half), b: split.slice(half) }), 'children');
    await expectRefused(() => ask(`{ ${repeat(5, (i) => `s${i}: children(nhsNumbers: [${repeat(101, () => `"${AMELIA}"`)}]) { nhsNumber }`)} }`), 'children');
  });

  it('costs a list of children per child: a caseload costing the limit is answered, one costing more is not', async () => {
    // Each child costs itself and one for each field: 500 children of 100 cost 50,000.
    const perChild = max.cost / max.children;
    const caseload = (fields: number) => `query ($n: [ID!]!) { children(nhsNumbers: $n) { ${repeat(fields, () => 'nhsNumber')} } }`;
    await expectAnswered(ask(caseload(perChild - 1), { n: nhsNumbers(max.children) }));
    await expectRefused(() => ask(caseload(perChild), { n: nhsNumbers(max.children) }), 'cost');
  });

  it('refuses 40 aliases of a 500-child caseload, which cost what 20,000 children cost', async () => {
    const full =
      'nhsNumber name { given family } health { immunisations { vaccine } } socialCare { status } housing { tenancy { address } } education { school { name } }';
    const aliases = `query ($n: [ID!]!) { ${repeat(40, (i) => `c${i}: children(nhsNumbers: $n) { ${full} }`)} }`;
    federation.resetCounts();
    const { status, body } = await ask(aliases, { n: nhsNumbers(500) });
    // Over four limits at once (aliases, root fields, children and cost): the first checked is named.
    expect([status, body.errors?.[0]?.extensions?.code, body.errors?.[0]?.extensions?.limit]).toEqual([400, 'QUERY_TOO_COMPLEX', 'aliases']);
    expect(requests()).toBe(0);
  });

  it('refuses 31 fragments each spreading the next twice at once, without expanding them', async () => {
    const query = exponentialFragments();
    expect(query.length).toBeLessThan(2_000);
    const heap = process.memoryUsage().heapUsed;
    const started = Date.now();
    await expectRefused(() => ask(query), 'selections');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(100_000_000);
  });

  it('refuses a fragment cycle, as validation does, without asking any agency', async () => {
    federation.resetCounts();
    const { status, body } = await ask(
      `{ child(nhsNumber: "${AMELIA}") { ...A } } fragment A on Child { name { given } ...B } fragment B on Child { nhsNumber ...A }`,
    );
    expect([status, body.errors?.[0]?.extensions?.code, requests()]).toEqual([400, 'GRAPHQL_VALIDATION_FAILED', 0]);
    expect(body.errors![0]!.message).toMatch(/Cannot spread fragment "A" within itself/);
  });

  it('refuses 500 aliases, and 10,000, as too complex rather than as an unexpected error', async () => {
    await expectRefused(() => ask(`{ child(nhsNumber: "${AMELIA}") { ${repeat(500, (i) => `a${i}: nhsNumber`)} } }`), 'aliases');
    await expectRefused(() => ask(`{ ${repeat(500, (i) => `a${i}: child(nhsNumber: "${AMELIA}") { nhsNumber }`)} }`), 'tokens');
    await expectRefused(() => ask(`{ ${repeat(10_000, (i) => `a${i}: child(nhsNumber: "${AMELIA}") { nhsNumber }`)} }`), 'tokens');
  });

  it('has each subgraph refuse a call over its limits, even with a valid signed context', async () => {
    const authority: Authority = { caller: demoPersona('sw.jones'), purpose: 'safeguarding', traceId: 'limits-direct' };
    const headers = { [CONTEXT_HEADER]: await createContextSigner({ privateJwk: federation.keys.gateway.privateJwk })(authority, 'health') };
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Child { health { registeredGp { practiceName } } } } }';
    const representations = (count: number) => nhsNumbers(count).map((nhsNumber) => ({ __typename: 'Child', nhsNumber }));
    const health = federation.agencies.health!;

    health.resetCounts();
    const under = await post(health.url, { query, variables: { r: representations(max.children) } }, headers);
    expect([under.status, under.body.data?._entities?.length]).toEqual([200, max.children]);
    expect(health.statements()).toBeGreaterThan(0);

    health.resetCounts();
    const over = await post(health.url, { query, variables: { r: representations(max.children + 1) } }, headers);
    expect(over).toEqual({
      status: 400,
      body: { errors: [{ message: expect.any(String), extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'children', max: max.children } }] },
    });
    // Refused before anything was read or recorded.
    expect(health.statements()).toBe(0);
  });

  it('gives no suggestions for a misspelled field, at the gateway or in a subgraph', async () => {
    const { status, body } = await ask(`{ child(nhsNumber: "${AMELIA}") { nhsNumbr } }`);
    expect([status, body.errors?.[0]?.extensions?.code]).toEqual([400, 'GRAPHQL_VALIDATION_FAILED']);
    expect(body.errors![0]!.message).toBe('Cannot query field "nhsNumbr" on type "Child".');

    const authority: Authority = { caller: demoPersona('sw.jones'), purpose: 'safeguarding', traceId: 'limits-suggestions' };
    const headers = { [CONTEXT_HEADER]: await createContextSigner({ privateJwk: federation.keys.gateway.privateJwk })(authority, 'health') };
    const direct = await post(
      federation.agencies.health!.url,
      { query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Child { healt } } }', variables: { r: [] } },
      headers,
    );
    expect(direct.body.errors![0]!.message).toBe('Cannot query field "healt" on type "Child".');
  });
});
