import { importJWK, SignJWT, type JWK, type KeyLike } from 'jose';
import { demoPersona, signPersonaToken } from '../dev/personas';
import { CONTEXT_HEADER, createContextSigner, createKeyPair, createSdlRequestSigner, type Authority } from '../shared';
import { request } from 'node:http';
import { post, startFederation, type Federation } from './start-federation';

/** A GET with a JSON body, which fetch will not send: the shape of a request that tries to look like `_service`. */
function getWithBody(url: URL, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const query = '{ child(nhsNumber: "9990000018") { name { given } health { registeredGp { practiceName } } } }';

async function token(jwk: JWK, claims: Record<string, unknown>, options: { alg?: string; issuer?: string; audience?: string; exp?: number | null } = {}) {
  const alg = options.alg ?? 'ES256';
  const key = alg.startsWith('HS') ? new TextEncoder().encode('a shared secret of at least thirty-two bytes!') : ((await importJWK(jwk, alg)) as KeyLike);
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg, kid: jwk.kid })
    .setIssuer(options.issuer ?? 'child-view-dev')
    .setAudience(options.audience ?? 'child-view')
    .setIssuedAt();
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? Math.floor(Date.now() / 1000) + 600);
  return jwt.sign(key);
}

function unsigned(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, iss: 'child-view-dev', aud: 'child-view', exp: Math.floor(Date.now() / 1000) + 600 })}.`;
}

describe('authentication', () => {
  let federation: Federation;
  beforeAll(async () => {
    federation = await startFederation({ children: 50 });
  }, 120_000);
  afterAll(() => federation?.stop());

  const asGateway = async (headers: Record<string, string>) => {
    federation.resetCounts();
    const response = await post(federation.gatewayUrl, { query }, headers);
    const fetched = Object.values(federation.agencies).reduce((n, a) => n + a.requests(), 0);
    return { ...response, fetched };
  };

  it('answers a practitioner with a valid token and purpose', async () => {
    const { status, body } = await federation.queryGateway(query, undefined, { persona: 'gp.smith', purpose: 'direct-care' });
    expect(status).toBe(200);
    expect(body.data.child.health.registeredGp.practiceName).toBe('Riverside Surgery');
  });

  describe.each([
    ['no token', async () => ({})],
    ['a token with alg none', async () => ({ authorization: `Bearer ${unsigned(demoPersona('sw.jones'))}` })],
    [
      'an HS256 token',
      async () => ({ authorization: `Bearer ${await token(federation.keys.personas.privateJwk, demoPersona('sw.jones'), { alg: 'HS256' })}` }),
    ],
    [
      'an expired token',
      async () => ({
        authorization: `Bearer ${await token(federation.keys.personas.privateJwk, demoPersona('sw.jones'), { exp: Math.floor(Date.now() / 1000) - 60 })}`,
      }),
    ],
    [
      'a token from another issuer',
      async () => ({
        authorization: `Bearer ${await token(federation.keys.personas.privateJwk, demoPersona('sw.jones'), { issuer: 'https://elsewhere.example' })}`,
      }),
    ],
    [
      'a token for another audience',
      async () => ({ authorization: `Bearer ${await token(federation.keys.personas.privateJwk, demoPersona('sw.jones'), { audience: 'another-service' })}` }),
    ],
    [
      'a token signed by an untrusted key',
      async () => ({ authorization: `Bearer ${await signPersonaToken('sw.jones', (await createKeyPair('stranger')).privateJwk)}` }),
    ],
    [
      'a token that never expires',
      async () => ({ authorization: `Bearer ${await token(federation.keys.personas.privateJwk, demoPersona('sw.jones'), { exp: null })}` }),
    ],
    ['a token without the practitioner claims', async () => ({ authorization: `Bearer ${await token(federation.keys.personas.privateJwk, { sub: 'x' })}` })],
  ])('with %s', (_label, headers) => {
    it('refuses the request as UNAUTHENTICATED before anything is fetched', async () => {
      const { status, body, fetched } = await asGateway({ ...(await headers()), 'x-purpose-of-use': 'safeguarding' });
      expect(status).toBe(401);
      expect(body.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
      expect(body.data).toBeUndefined();
      expect(fetched).toBe(0);
    });
  });

  it.each([
    ['no purpose', {}, 'X-Purpose-Of-Use header is required'],
    ['an unknown purpose', { 'x-purpose-of-use': 'curiosity' }, '"curiosity" is not one of'],
    [
      'break-glass outside emergency care',
      { 'x-purpose-of-use': 'direct-care', 'x-break-glass': 'Unconscious child in resus, no history' },
      'only be used with',
    ],
    ['a break-glass justification under 20 characters', { 'x-purpose-of-use': 'emergency-care', 'x-break-glass': 'urgent' }, 'at least 20 characters'],
  ])('refuses %s with BAD_REQUEST before anything is fetched', async (_label, purposeHeaders, message) => {
    const { authorization } = await federation.authHeaders();
    const { status, body, fetched } = await asGateway({ authorization: authorization!, ...purposeHeaders });
    expect(status).toBe(400);
    expect(body.errors![0]!.extensions!.code).toBe('BAD_REQUEST');
    expect(body.errors![0]!.message).toContain(message);
    expect(fetched).toBe(0);
  });

  it('accepts a declared emergency with a written justification', async () => {
    const { status } = await federation.queryGateway(query, undefined, {
      persona: 'dr.lee',
      purpose: 'emergency-care',
      breakGlass: 'Unconscious child in resus, no history available',
    });
    expect(status).toBe(200);
  });

  it('keeps introspection off outside development', async () => {
    const { body } = await federation.queryGateway('{ __schema { types { name } } }');
    expect(body.data).toBeUndefined();
    expect(body.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  describe('a subgraph called directly', () => {
    const authority: Authority = { caller: demoPersona('sw.jones'), purpose: 'safeguarding', traceId: 'trace-1' };
    const entities =
      '{ _entities(representations: [{ __typename: "Child", nhsNumber: "9990000018" }]) { ... on Child { health { registeredGp { practiceName } } } } }';
    const callHealth = (headers: Record<string, string>) => post(federation.agencies.health!.url, { query: entities }, headers);

    it("answers with the gateway's signed context for that subgraph", async () => {
      const context = await createContextSigner({ privateJwk: federation.keys.gateway.privateJwk })(authority, 'health');
      const { body } = await callHealth({ [CONTEXT_HEADER]: context });
      expect(body.data._entities[0].health.registeredGp.practiceName).toBe('Riverside Surgery');
    });

    it.each([
      ['without context', async () => ({})],
      [
        'with a forged context',
        async () => ({ [CONTEXT_HEADER]: await createContextSigner({ privateJwk: (await createKeyPair('forger')).privateJwk })(authority, 'health') }),
      ],
      [
        'with an expired context',
        async () => ({ [CONTEXT_HEADER]: await createContextSigner({ privateJwk: federation.keys.gateway.privateJwk, ttlSeconds: -30 })(authority, 'health') }),
      ],
      [
        'with a context for another subgraph',
        async () => ({ [CONTEXT_HEADER]: await createContextSigner({ privateJwk: federation.keys.gateway.privateJwk })(authority, 'socialcare') }),
      ],
      ["with a practitioner's own token as context", async () => ({ [CONTEXT_HEADER]: (await federation.authHeaders()).authorization!.slice(7) })],
    ])('refuses a call %s as UNAUTHENTICATED before any resolver runs', async (_label, headers) => {
      federation.resetCounts();
      const { status, body } = await callHealth(await headers());
      expect(status).toBe(401);
      expect(body.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
      expect(body.data).toBeUndefined();
      expect(federation.agencies.health!.statements()).toBe(0);
    });

    it('refuses a GET that carries a different query in the URL than the _service body it shows', async () => {
      const url = new URL(federation.agencies.socialcare!.url);
      url.searchParams.set('query', 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Child { socialCare { status referrals { reason } } } } }');
      url.searchParams.set('variables', JSON.stringify({ r: [{ __typename: 'Child', nhsNumber: '9990000018' }] }));
      federation.resetCounts();
      const response = await getWithBody(url, JSON.stringify({ query: '{ _service { sdl } }' }));
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.body).not.toContain('referrals');
      expect(federation.agencies.socialcare!.statements()).toBe(0);
      // Without the decoy body the URL's query runs only with the gateway's context.
      const plain = await getWithBody(url, '');
      expect(plain.status).toBe(401);
      expect(JSON.parse(plain.body).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    });

    it('gives its SDL only to composition, which the gateway signs', async () => {
      const stranger = await post(federation.agencies.health!.url, { query: '{ _service { sdl } }' });
      expect(stranger.status).toBe(401);
      expect(stranger.body.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
      const sdl = await createSdlRequestSigner({ privateJwk: federation.keys.gateway.privateJwk })('health');
      const { body } = await post(federation.agencies.health!.url, { query: '{ _service { sdl } }' }, { [CONTEXT_HEADER]: sdl });
      expect(body.data._service.sdl).toContain('type ChildHealth');
    });
  });
});
