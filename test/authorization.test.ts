import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { createRandom } from '../synthetic';
import { DEV_AUDIENCE, DEV_ISSUER } from '../dev/personas';
import { composeFromSubgraphs, createAuthenticator, createGateway, DEFAULT_POLICY_FILES } from '../gateway';
import { CONTEXT_HEADER, createContextSigner, createLogger, createSdlRequestSigner, loadPolicies, type Authority } from '../shared';
import { personas as personaClaims } from '../dev/personas';
import { children, expected, personas, purposes } from './reference-oracle';
import { post, startFederation, type Federation } from './start-federation';

/** Every field a practitioner's screen can ask for of a child, as a tree. */
const tree: Record<string, Record<string, Record<string, null> | null> | null> = {
  nhsNumber: null,
  name: { given: null, family: null },
  dateOfBirth: null,
  gender: null,
  address: { line1: null, town: null, postcode: null },
  nhsNumberStatus: null,
  restricted: null,
  health: {
    registeredGp: { practiceName: null, odsCode: null },
    healthVisitor: { name: null, phone: null },
    immunisations: { vaccine: null, date: null },
    emergencyAttendances: { date: null, hospital: null, reason: null },
    conditions: { name: null, since: null },
  },
  socialCare: {
    status: null,
    statusSince: null,
    localAuthority: { name: null, dutyPhone: null },
    allocatedWorker: { name: null, phone: null, team: null },
    referrals: { date: null, source: null, reason: null },
    caseNotes: { date: null, author: null, text: null },
    placement: { type: null, since: null, area: null },
  },
  housing: {
    matchConfidence: null,
    matchedOn: null,
    tenancy: { address: null, type: null, landlord: null, startDate: null },
    household: { name: null, relationship: null },
    temporaryAccommodation: null,
    antisocialBehaviourCases: { date: null, category: null },
    rentArrears: null,
  },
  education: {
    school: { name: null, urn: null },
    attendanceRate: null,
    unauthorisedAbsences: null,
    exclusions: { date: null, type: null, days: null },
    senSupport: null,
    ehcp: null,
    freeSchoolMeals: null,
  },
  police: { matchConfidence: null, matchedOn: null, encompassNotifications: { id: null, sentAt: null, childPresent: null, acknowledgedAt: null } },
};
const containers = new Set(['health', 'socialCare', 'housing', 'education', 'police']);

interface Generated {
  query: string;
  variables: Record<string, unknown>;
  keys: Map<string, string>;
}

/**
 * A random operation over the tree: random fields, aliases, named and inline
 * fragments, @include/@skip on variables, __typename; `keys` maps each
 * response path (aliases) back to the field path the policy speaks of.
 */
function generate(seed: number): Generated {
  const random = createRandom(seed);
  const keys = new Map<string, string>();
  const fragments: string[] = [];
  const variables: Record<string, unknown> = { n: children };
  const defs = ['$n: [ID!]!'];
  let counter = 0;
  const select = (node: Record<string, unknown>, fieldPath: string[], keyPath: string[], type: string): string => {
    const parts: string[] = [];
    for (const [field, sub] of Object.entries(node)) {
      if (!random.chance(0.55)) continue;
      const key = random.chance(0.3) ? `a${counter++}_${field}` : field;
      const path = [...fieldPath, field];
      const inner = sub ? select(sub as Record<string, unknown>, path, [...keyPath, key], '') : '';
      if (sub && !inner) continue;
      keys.set([...keyPath, key].join('.'), path.join('.'));
      let directive = '';
      if (random.chance(0.15)) {
        const v = `v${counter++}`;
        defs.push(`$${v}: Boolean!`);
        variables[v] = random.chance(0.5);
        directive = random.chance(0.5) ? ` @include(if: $${v})` : ` @skip(if: $${v})`;
      }
      const alias = key === field ? '' : `${key}: `;
      parts.push(`${alias}${field}${directive}${sub ? ` { ${inner} }` : ''}`);
    }
    if (parts.length > 0 && random.chance(0.2)) parts.push('__typename');
    if (type === 'Child' && parts.length > 1 && random.chance(0.4)) {
      const name = `F${counter++}`;
      const half = parts.splice(0, Math.ceil(parts.length / 2));
      fragments.push(`fragment ${name} on Child { ${half.join(' ')} }`);
      parts.push(`...${name}`);
    }
    if (type === 'Child' && parts.length > 1 && random.chance(0.3)) {
      const moved = parts.splice(0, 1);
      parts.push(`... on Child { ${moved.join(' ')} }`);
    }
    return parts.join(' ');
  };
  let body = select(tree, [], [], 'Child');
  if (!body) {
    body = 'nhsNumber';
    keys.set('nhsNumber', 'nhsNumber');
  }
  return { query: `query Generated(${defs.join(', ')}) { children(nhsNumbers: $n) { ${body} } } ${fragments.join(' ')}`, variables, keys };
}

/** The policy's name for a response field: `health.conditions`, `name`, … */
function policyField(fieldPath: string): string {
  const [first, second] = fieldPath.split('.');
  return containers.has(first!) && second ? `${first}.${second}` : first!;
}

describe('authorisation', () => {
  let federation: Federation;
  beforeAll(async () => {
    federation = await startFederation({ children: 50 });
  }, 120_000);
  afterAll(() => federation?.stop());

  it('never returns a value the policy denies, whatever the shape of the operation', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 30 }), fc.constantFrom(...personas), fc.constantFrom(...purposes), async (seed, persona, purpose) => {
        const generated = generate(seed);
        const { keys } = generated;
        let { query, variables } = generated;
        let only: number | undefined;
        if (purpose === 'break-glass') {
          // Break-glass opens one child at a time.
          only = seed % children.length;
          query = query.replace('$n: [ID!]!', '$c: ID!').replace('children(nhsNumbers: $n)', 'child(nhsNumber: $c)');
          variables = { ...variables, n: undefined, c: children[only] };
        }
        const { body } = await federation.queryGateway(query, variables, {
          persona,
          purpose: purpose === 'break-glass' ? 'emergency-care' : purpose,
          ...(purpose === 'break-glass' ? { breakGlass: 'Child brought in unconscious; history needed now' } : {}),
        });
        expect((body.errors ?? []).filter((e) => e.extensions?.code !== 'FORBIDDEN')).toEqual([]);
        const leaks: string[] = [];
        const answered: (Record<string, unknown> | null)[] = only === undefined ? (body.data?.children ?? []) : [body.data?.child ?? null];
        answered.forEach((child, index) => {
          const i = only ?? index;
          if (!child) return;
          const walk = (value: unknown, keyPath: string[]) => {
            if (value === null || value === undefined) return;
            const fieldPath = keys.get(keyPath.join('.'));
            if (fieldPath && !expected(persona, purpose, children[i]!, policyField(fieldPath), false, false)) {
              leaks.push(`${children[i]} ${keyPath.join('.')} (${fieldPath})`);
              return;
            }
            if (Array.isArray(value)) value.forEach((item) => walk(item, keyPath));
            else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) if (k !== '__typename') walk(v, [...keyPath, k]);
          };
          walk(child, []);
        });
        expect({ query, leaks }).toEqual({ query, leaks: [] });
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('does not call an agency whose fields the caller may never see', async () => {
    federation.resetCounts();
    const { body } = await federation.queryGateway(
      '{ child(nhsNumber: "9990000018") { name { given } socialCare { status caseNotes { text } } } }',
      undefined,
      { persona: 'dsl.khan', purpose: 'direct-care' },
    );
    expect(body.data.child).toEqual({ name: { given: 'Amelia' }, socialCare: null });
    expect(body.errors).toEqual([
      expect.objectContaining({ path: ['child', 'socialCare'], extensions: expect.objectContaining({ code: 'FORBIDDEN', policy: 'socialcare:status' }) }),
    ]);
    expect(federation.agencies.socialcare!.requests()).toBe(0);
    expect(federation.agencies.identity!.requests()).toBe(1);
  });

  it('answers with null and FORBIDDEN at each denied path, never a failed whole query', async () => {
    const { body } = await federation.queryGateway(
      '{ child(nhsNumber: "9990000050") { name { given } health { registeredGp { odsCode } conditions { name } immunisations { vaccine } } } }',
      undefined,
      { persona: 'dsl.khan', purpose: 'direct-care' },
    );
    expect(body.data.child).toEqual({
      name: { given: 'Isla' },
      health: { registeredGp: { odsCode: 'Y00001' }, conditions: [{ name: 'Asthma' }], immunisations: null },
    });
    expect(body.errors!.map((e) => [e.path!.join('.'), e.extensions!.code, e.extensions!.policy])).toEqual([
      ['child.health.immunisations', 'FORBIDDEN', 'health:clinical'],
    ]);
    expect(typeof body.errors![0]!.extensions!.reason).toBe('string');
  });

  it('is enforced again by the agency when it is called directly with a valid context', async () => {
    const authority: Authority = { caller: personaClaims['dsl.khan'] as unknown as Authority['caller'], purpose: 'direct-care', traceId: 't' };
    const context = await createContextSigner({ privateJwk: federation.keys.gateway.privateJwk })(authority, 'socialcare');
    federation.resetCounts();
    const { body } = await post(
      federation.agencies.socialcare!.url,
      {
        query:
          '{ _entities(representations: [{ __typename: "Child", nhsNumber: "9990000018" }]) { ... on Child { socialCare { status caseNotes { text } } } } }',
      },
      { [CONTEXT_HEADER]: context },
    );
    expect(body.data._entities).toEqual([{ __typename: 'Child', socialCare: null }]);
    expect(body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(federation.agencies.socialcare!.statements()).toBe(0);
  });

  it('reads a large request body only from the gateway: without its signed context the usual limit holds', async () => {
    // Over a megabyte of representations: what the gateway may send (other agencies' parts of an access log). As many
    // as one call may carry (a subgraph refuses more than 500 children a call), each made large.
    const representations = Array.from({ length: 500 }, (_, i) => ({
      __typename: 'Child',
      nhsNumber: `9${String(i).padStart(9, '0')}`,
      part: 'x'.repeat(2_100),
    }));
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Child { nhsNumber } } }';
    const size = JSON.stringify({ query, variables: { r: representations } }).length;
    expect(size).toBeGreaterThan(1_000_000);
    const anonymous = await post(federation.agencies.identity!.url, { query, variables: { r: representations } });
    expect(anonymous.status).toBe(413);
    expect(anonymous.body.errors![0]!.extensions!.code).toBe('BAD_REQUEST');
    const authority: Authority = { caller: personaClaims['sw.jones'] as unknown as Authority['caller'], purpose: 'safeguarding', traceId: 'large-body' };
    const context = await createContextSigner({ privateJwk: federation.keys.gateway.privateJwk })(authority, 'identity');
    const fromGateway = await post(federation.agencies.identity!.url, { query, variables: { r: representations } }, { [CONTEXT_HEADER]: context });
    expect(fromGateway.status).toBe(200);
    expect(fromGateway.body.data._entities).toHaveLength(representations.length);
  });

  it('checks the record in the agency: a social worker sees case notes only of children allocated to them', async () => {
    const query = '{ children(nhsNumbers: ["9990000018", "9990000034"]) { socialCare { caseNotes { text } } } }';
    const jones = await federation.queryGateway(query, undefined, { persona: 'sw.jones', purpose: 'safeguarding' });
    expect(jones.body.data.children[0].socialCare.caseNotes.length).toBeGreaterThan(0);
    expect(jones.body.data.children[1].socialCare.caseNotes).toBeNull();
    expect(jones.body.errors!.map((e) => e.path!.join('.'))).toEqual(['children.1.socialCare.caseNotes']);
    const ahmed = await federation.queryGateway(query, undefined, { persona: 'sw.ahmed', purpose: 'safeguarding' });
    expect(ahmed.body.data.children[0].socialCare.caseNotes).toBeNull();
    expect(ahmed.body.data.children[1].socialCare.caseNotes.length).toBeGreaterThan(0);
  });

  it('in dry-run reports what it would deny and filters nothing, while each agency still enforces its own policy', async () => {
    const subgraphs = Object.entries(federation.agencies).map(([name, a]) => ({ name, url: a.url }));
    const dryRun = createGateway({
      supergraphSdl: await composeFromSubgraphs(subgraphs, 5_000, createSdlRequestSigner({ privateJwk: federation.keys.gateway.privateJwk })),
      logger: createLogger('dry-run', 'silent'),
      authenticate: createAuthenticator({ keys: federation.keys.personas.publicJwks, issuer: DEV_ISSUER, audience: DEV_AUDIENCE }),
      signContext: createContextSigner({ privateJwk: federation.keys.gateway.privateJwk }),
      policies: loadPolicies(DEFAULT_POLICY_FILES),
      authorizationMode: 'dry-run',
      auditPath: join(mkdtempSync(join(tmpdir(), 'cv-dry-run-')), 'gateway-audit.jsonl'),
      trustedDocuments: { mode: 'allow', manifests: new Map() },
    });
    const service = await dryRun.listen(0);
    try {
      federation.resetCounts();
      const { body } = await post(
        service.url,
        { query: '{ child(nhsNumber: "9990000018") { name { given } socialCare { status } } }' },
        await federation.authHeaders({ persona: 'dsl.khan', purpose: 'direct-care' }),
      );
      expect(body.extensions?.authorization).toEqual({
        mode: 'dry-run',
        wouldDeny: [expect.objectContaining({ path: ['child', 'socialCare'], policy: 'socialcare:status' })],
      });
      expect(federation.agencies.socialcare!.requests()).toBe(1);
      expect(body.data.child.socialCare).toBeNull();
      expect(body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    } finally {
      await service.close();
    }
  });

  it.each([
    ['a list of children', '{ children(nhsNumbers: ["9990000018", "9990000026"]) { health { conditions { name } } } }'],
    ['a search', '{ searchChildren(family: "Hart", dateOfBirth: "2019-05-14") { child { nhsNumber } } }'],
    ['two children', '{ a: child(nhsNumber: "9990000018") { nhsNumber } b: child(nhsNumber: "9990000026") { nhsNumber } }'],
  ])('refuses break-glass for %s: it opens one child at a time', async (_label, query) => {
    federation.resetCounts();
    const { status, body } = await federation.queryGateway(query, undefined, {
      persona: 'dr.lee',
      purpose: 'emergency-care',
      breakGlass: 'Unconscious child in resus, no history available',
    });
    expect(body.errors![0]!.extensions!.code).toBe('BAD_REQUEST');
    expect([status, Object.values(federation.agencies).reduce((n, a) => n + a.requests(), 0)]).toEqual([400, 0]);
  });

  it("shows a restricted child's placement only to the allocated social worker", async () => {
    const query = '{ child(nhsNumber: "9990000034") { socialCare { status placement { type area } } } }';
    const ahmed = await federation.queryGateway(query, undefined, { persona: 'sw.ahmed', purpose: 'safeguarding' });
    expect(ahmed.body.data.child.socialCare.placement).toEqual({ type: expect.any(String), area: expect.any(String) });
    for (const persona of ['sw.jones', 'tm.patel'] as const) {
      const other = await federation.queryGateway(query, undefined, { persona, purpose: 'safeguarding' });
      expect(other.body.data.child.socialCare).toEqual({ status: 'LOOKED_AFTER', placement: null });
      expect(other.body.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', policy: 'socialcare:placement' });
    }
  });

  it('never opens case notes under break-glass', async () => {
    const { body } = await federation.queryGateway(
      '{ child(nhsNumber: "9990000018") { socialCare { caseNotes { text } } health { conditions { name } } } }',
      undefined,
      {
        persona: 'dr.lee',
        purpose: 'emergency-care',
        breakGlass: 'Unconscious child in resus, no history available',
      },
    );
    expect(body.data.child.socialCare).toBeNull();
    expect(body.data.child.health.conditions).toEqual([]);
  });
});
