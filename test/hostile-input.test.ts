import { createHash } from 'node:crypto';
import { CONTEXT_HEADER, createContextSigner, createSdlRequestSigner, type Authority } from '../shared';
import { demoPersona } from '../dev/personas';
import { post, startFederation, type Asking, type Federation, type GraphQLResponse } from './start-federation';

const AMELIA = '9990000018';
const LONG = 'x'.repeat(10_000);
const SEARCH =
  'query Search($g: String, $f: String, $d: String, $p: String, $fuzzy: Boolean) { searchChildren(given: $g, family: $f, dateOfBirth: $d, postcode: $p, fuzzy: $fuzzy) { score } }';
const DECIDE = 'mutation ($n: ID!, $r: ID!) { confirmHousingMatch(nhsNumber: $n, reference: $r) { decision } }';
const REVIEW = 'mutation ($id: ID!, $note: String!) { reviewBreakGlass(id: $id, outcome: APPROPRIATE, note: $note) { id } }';
const officer: Asking = { persona: 'ho.evans', purpose: 'direct-care' };
const privacy: Asking = { persona: 'cg.wright', purpose: 'audit' };
const emergency = { persona: 'dr.lee', purpose: 'emergency-care' } as const;

/** Anything a response must never carry: SQL, a stack frame, a file path, the bad input itself. */
function expectNothingRevealed(response: GraphQLResponse): void {
  const text = JSON.stringify(response.body);
  expect(text).not.toMatch(
    /SELECT |INSERT |relation "|permission denied|invalid input syntax|\\u0000|records\.|service\.|\.ts:\d|node_modules|\/work\/|\bat [\w.]+ \(/,
  );
  expect(text).not.toContain('x'.repeat(41));
}

describe('hostile and careless clients', () => {
  let federation: Federation;
  beforeAll(async () => {
    federation = await startFederation({ children: 50 });
  }, 120_000);
  afterAll(() => federation?.stop());

  /** Asks through the gateway, counting the SQL the agency ran for it. */
  async function ask(agency: string, query: string, variables: Record<string, unknown>, as?: Asking) {
    federation.resetCounts();
    const response = await federation.queryGateway(query, variables, as);
    return { ...response, statements: federation.agencies[agency]!.statements() };
  }

  /** A refused argument: BAD_USER_INPUT naming it (a field error: HTTP 200, the field null), no SQL, nothing echoed. */
  async function expectArgumentRefused(agency: string, query: string, variables: Record<string, unknown>, argument: string, as?: Asking) {
    const response = await ask(agency, query, variables, as);
    expect(response.status).toBe(200);
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    expect(response.body.errors![0]!.message.startsWith(`${argument}:`)).toBe(true);
    expect(response.statements).toBe(0);
    expectNothingRevealed(response);
  }

  describe('bad values are refused before any SQL, naming the argument', () => {
    it.each([
      ['a NUL in a family name', { f: 'Ha\u0000rt', d: '2019-05-14' }, 'family'],
      ['a 10 KB family name', { f: LONG, d: '2019-05-14' }, 'family'],
      ['digits in a given name', { g: 'Amelia1', f: 'Hart', d: '2019-05-14', fuzzy: true }, 'given'],
      ['a control character in a given name', { g: 'Ame\u001blia', f: 'Hart', d: '2019-05-14' }, 'given'],
      ['30 February', { f: 'Hart', d: '2019-02-30' }, 'dateOfBirth'],
      ['year 0', { f: 'Hart', d: '0000-01-01' }, 'dateOfBirth'],
      ['a NUL in a postcode', { f: 'Hart', d: '2019-05-14', p: 'NS1\u00004AB' }, 'postcode'],
      ['a postcode that is not one', { f: 'Hart', d: '2019-05-14', p: `NS1 4AB'; --` }, 'postcode'],
    ])('in a search: %s', async (_label, variables, argument) => {
      await expectArgumentRefused('identity', SEARCH, variables, argument);
    });

    it.each([
      ['an object for an ID', 'query ($n: ID!) { child(nhsNumber: $n) { nhsNumber } }', { n: { a: LONG } }],
      ['10 KB for an enum', 'query ($g: Gender) { searchChildren(family: "Hart", dateOfBirth: "2019-05-14", gender: $g) { score } }', { g: LONG }],
      ['10 KB for an Int', 'query ($f: Int) { myAccessHistory(first: $f) { entries { at } } }', { f: LONG }],
    ])('%s in a variable: 400 BAD_USER_INPUT quoting a short prefix, before any agency is asked', async (_label, query, variables) => {
      federation.resetCounts();
      const response = await federation.queryGateway(query, variables);
      expect(response.status).toBe(400);
      expect(response.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
      expect(Object.values(federation.agencies).reduce((n, a) => n + a.requests(), 0)).toBe(0);
      expectNothingRevealed(response);
    });

    it('10 KB as an NHS number, alone or in a caseload', async () => {
      await expectArgumentRefused('identity', 'query ($n: ID!) { child(nhsNumber: $n) { nhsNumber } }', { n: `999${LONG}` }, 'nhsNumber');
      await expectArgumentRefused('identity', 'query ($n: [ID!]!) { children(nhsNumbers: $n) { nhsNumber } }', { n: [AMELIA, `999${LONG}`] }, 'nhsNumbers[1]');
    });

    it("a NUL or 10 KB as housing's reference for a household member", async () => {
      await expectArgumentRefused('housing', DECIDE, { n: AMELIA, r: 'TEN0000001-C1\u0000' }, 'reference', officer);
      await expectArgumentRefused('housing', DECIDE, { n: AMELIA, r: LONG }, 'reference', officer);
    });

    it("a NUL in a break-glass review's id or note", async () => {
      await expectArgumentRefused('identity', REVIEW, { id: 'grant\u0000', note: 'Justified' }, 'id', privacy);
      await expectArgumentRefused('identity', REVIEW, { id: 'no-such-grant', note: 'Justified\u0000' }, 'note', privacy);
    });

    it.each([
      ['identity', 'query ($s: String) { accessAlerts(since: $s) { kind } }', privacy],
      ['identity', 'query ($s: String) { myAccessHistory(since: $s) { entries { at } } }', undefined],
      ['socialcare', 'query ($s: String) { accessNotifications(since: $s) { nhsNumber } }', undefined],
    ])('a period PostgreSQL would not read (%s: %s)', async (agency, query, as) => {
      for (const since of ['1', 'March 7', '2026-02-30', `2026-01-01\u0000`, LONG]) await expectArgumentRefused(agency, query, { s: since }, 'since', as);
    });
  });

  describe("a client's mistakes in the request are 400 with a stable code, before any agency is asked", () => {
    async function postRaw(body: Record<string, unknown>) {
      federation.resetCounts();
      const response = await post(federation.gatewayUrl, body, await federation.authHeaders());
      const fetched = Object.values(federation.agencies).reduce((n, a) => n + a.requests(), 0);
      expectNothingRevealed(response);
      return { ...response, code: response.body.errors?.[0]?.extensions?.code, fetched };
    }
    const query = `query One { child(nhsNumber: "${AMELIA}") { nhsNumber } }`;

    it('an operationName the document does not hold, however long', async () => {
      for (const operationName of ['Two', LONG]) {
        expect(await postRaw({ query, operationName })).toMatchObject({ status: 400, code: 'OPERATION_RESOLUTION_FAILURE', fetched: 0 });
      }
      expect(await postRaw({ query: `${query} query Two { child(nhsNumber: "${AMELIA}") { nhsNumber } }` })).toMatchObject({
        status: 400,
        code: 'OPERATION_RESOLUTION_FAILURE',
        fetched: 0,
      });
    });

    it('a subscription', async () => {
      const response = await postRaw({ query: `subscription { child(nhsNumber: "${AMELIA}") { nhsNumber } }` });
      expect(response).toMatchObject({ status: 400, code: 'BAD_REQUEST', fetched: 0 });
      expect(response.body.errors![0]!.message).toContain('subscription');
    });

    it("a persisted query whose hash is not its query's", async () => {
      const wrong = createHash('sha256').update('another query').digest('hex');
      const response = await postRaw({ query, extensions: { persistedQuery: { version: 1, sha256Hash: wrong } } });
      expect(response).toMatchObject({ status: 400, code: 'PERSISTED_QUERY_HASH_MISMATCH', fetched: 0 });
      // The right hash is still taken.
      const right = createHash('sha256').update(query).digest('hex');
      expect(await postRaw({ query, extensions: { persistedQuery: { version: 1, sha256Hash: right } } })).toMatchObject({ status: 200, code: undefined });
    });
  });

  describe('a break-glass justification', () => {
    const onTheWire = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
    const withGlass = async (breakGlass: string) => {
      federation.resetCounts();
      const response = await federation.queryGateway(
        `{ child(nhsNumber: "${AMELIA}") { nhsNumber } }`,
        {},
        { ...emergency, headers: { 'x-break-glass': breakGlass } },
      );
      expectNothingRevealed(response);
      return { ...response, fetched: Object.values(federation.agencies).reduce((n, a) => n + a.requests(), 0) };
    };

    it.each([
      ['30 zero-width spaces', onTheWire('\u200b'.repeat(30))],
      ['30 zero-width spaces, percent-encoded', `UTF-8''${'%E2%80%8B'.repeat(30)}`],
      ['non-ASCII sent raw, which would be stored garbled', onTheWire('Enfant inconscient à l’accueil, aucun antécédent')],
      ['10 KB', LONG],
      ['a NUL, percent-encoded', `UTF-8''Unconscious%20child%20in%20resus%00`],
    ])('refuses %s as BAD_REQUEST naming the header, before anything is fetched', async (_label, value) => {
      const response = await withGlass(value);
      expect(response.status).toBe(400);
      expect(response.body.errors![0]!.extensions).toEqual({ code: 'BAD_REQUEST', header: 'x-break-glass' });
      expect(response.body.errors![0]!.message).toContain('X-Break-Glass');
      expect(response.fetched).toBe(0);
    });

    it('keeps other text sent as an RFC 8187 value as it was written', async () => {
      const text = 'Enfant inconscient à l’accueil, aucun antécédent connu';
      const response = await withGlass(`UTF-8''${encodeURIComponent(text)}`);
      expect(response.status).toBe(200);
      const rows = await federation.agencies.identity!.query<{ justification: string }>(
        'SELECT justification FROM service.break_glass_grant ORDER BY opened_at DESC LIMIT 1',
      );
      expect(rows[0]!.justification).toBe(text);
    });
  });

  describe('nothing reveals the schema or the system to strangers', () => {
    const authority: Authority = { caller: demoPersona('gp.smith'), purpose: 'direct-care', traceId: 'hostile-input' };

    it("keeps introspection off at the gateway and at every agency, even with the gateway's signed context", async () => {
      const introspection = '{ __schema { types { name } } }';
      expect((await federation.queryGateway(introspection)).body.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
      for (const [name, agency] of Object.entries(federation.agencies)) {
        const context = await createContextSigner({ privateJwk: federation.keys.gateway.privateJwk })(authority, name);
        const { status, body } = await post(agency.url, { query: introspection }, { [CONTEXT_HEADER]: context });
        expect(status).toBe(400);
        expect(body.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
        expect(body.data).toBeUndefined();
      }
    });

    it("gives an agency's SDL only to a request the gateway signed for it", async () => {
      const sdl = createSdlRequestSigner({ privateJwk: federation.keys.gateway.privateJwk });
      for (const [name, agency] of Object.entries(federation.agencies)) {
        const stranger = await post(agency.url, { query: '{ _service { sdl } }' });
        expect(stranger.status).toBe(401);
        expect(stranger.body.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
        expect(JSON.stringify(stranger.body)).not.toContain('type Child');
        const composition = await post(agency.url, { query: '{ _service { sdl } }' }, { [CONTEXT_HEADER]: await sdl(name) });
        expect(composition.body.data._service.sdl).toContain('type Child');
      }
      // A request signed for the SDL reads nothing else.
      federation.resetCounts();
      const entities =
        '{ _entities(representations: [{ __typename: "Child", nhsNumber: "9990000018" }]) { ... on Child { health { registeredGp { practiceName } } } } }';
      const { status, body } = await post(federation.agencies.health!.url, { query: entities }, { [CONTEXT_HEADER]: await sdl('health') });
      expect(status).toBe(401);
      expect(body.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
      expect(federation.agencies.health!.statements()).toBe(0);
    });

    it('answers a database error as "Unexpected error." naming only the agency', async () => {
      const health = federation.agencies.health!;
      await health.asOwner('REVOKE SELECT ON records.immunisation FROM health_service');
      try {
        const response = await federation.queryGateway(
          `{ child(nhsNumber: "${AMELIA}") { health { immunisations { vaccine } } } }`,
          {},
          { persona: 'gp.smith', purpose: 'direct-care' },
        );
        expect(response.body.errors).toEqual([
          expect.objectContaining({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR', agency: 'health' } }),
        ]);
        expectNothingRevealed(response);
      } finally {
        await health.asOwner('GRANT SELECT ON records.immunisation TO health_service');
      }
    });
  });
  describe('bodies', () => {
    it('refuses a 10 MB body with 413 before reading it whole, asking no agency', async () => {
      federation.resetCounts();
      const response = await fetch(federation.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await federation.authHeaders()) },
        body: JSON.stringify({ query: '{ child(nhsNumber: "9990000018") { nhsNumber } }', variables: { padding: 'x'.repeat(10_000_000) } }),
      });
      expect(response.status).toBe(413);
      expect(((await response.json()) as GraphQLResponse['body']).errors![0]!.extensions!.code).toBe('BAD_REQUEST');
      expect(Object.values(federation.agencies).map((a) => a.requests())).toEqual(Object.values(federation.agencies).map(() => 0));
    });

    it('refuses a batch of operations in one body (batching is off), asking no agency', async () => {
      federation.resetCounts();
      const one = { query: `{ child(nhsNumber: "${AMELIA}") { name { given } } }` };
      const response = await fetch(federation.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await federation.authHeaders()) },
        body: JSON.stringify(Array.from({ length: 100 }, () => one)),
      });
      expect(response.status).toBe(400);
      expect(JSON.stringify(await response.json())).not.toContain('Amelia');
      expect(Object.values(federation.agencies).map((a) => a.requests())).toEqual(Object.values(federation.agencies).map(() => 0));
    });
  });
});
