import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createGatewayClient, createOidcClient, listenWeb, type RunningWeb } from '../web';

/**
 * Signing in through an identity provider: a stand-in provider (discovery, JWKS, token endpoint) on a
 * local port, and the web app in OIDC mode redirecting to it and back.
 */
interface Provider {
  issuer: string;
  codes: Map<string, { challenge: string; nonce: string }>;
  server: Server;
}

async function startProvider(clientId: string, clientSecret: string): Promise<Provider> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'ES256', use: 'sig' };
  const codes = new Map<string, { challenge: string; nonce: string }>();
  let issuer = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, { issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks` });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      // A listener is not awaited: the answer is written once the tokens are signed.
      req.on(
        'end',
        () =>
          void (async () => {
            const form = new URLSearchParams(body);
            const issued = codes.get(form.get('code') ?? '');
            const verifier = form.get('code_verifier') ?? '';
            if (!issued || form.get('client_secret') !== clientSecret || createHash('sha256').update(verifier).digest('base64url') !== issued.challenge)
              return json(400, { error: 'invalid_grant' });
            codes.delete(form.get('code')!);
            const claims = { sub: 'sw.jones', name: 'Sam Jones', roles: ['social-worker'], org: 'NS001', orgType: 'local-authority' };
            const sign = (payload: Record<string, unknown>, audience: string) =>
              new SignJWT(payload)
                .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
                .setIssuer(issuer)
                .setAudience(audience)
                .setIssuedAt()
                .setExpirationTime('5m')
                .sign(privateKey);
            json(200, {
              access_token: await sign(claims, 'child-view'),
              id_token: await sign({ ...claims, nonce: issued.nonce }, clientId),
              token_type: 'Bearer',
            });
          })(),
      );
      return;
    }
    json(404, {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { issuer, codes, server };
}

describe('signing in through an identity provider (OIDC)', () => {
  let provider: Provider;
  let web: RunningWeb;
  beforeAll(async () => {
    provider = await startProvider('child-view-web', 'client-secret');
    web = await listenWeb(
      {
        gateway: createGatewayClient({ url: 'http://127.0.0.1:9/graphql' }),
        signIn: {
          mode: 'oidc',
          client: createOidcClient({
            issuer: provider.issuer,
            clientId: 'child-view-web',
            clientSecret: 'client-secret',
            redirectUrl: 'http://127.0.0.1/sign-in/callback',
          }),
        },
        sessionSecret: randomBytes(32),
      },
      0,
    );
  });
  afterAll(async () => {
    await web?.stop();
    provider?.server.close();
  });

  /** Starts signing in; answers the session cookie and what the app asked the provider for. */
  async function begin(): Promise<{ cookie: string; asked: URL }> {
    const response = await fetch(`${web.url}/sign-in`, { redirect: 'manual' });
    expect(response.status).toBe(303);
    return { cookie: response.headers.getSetCookie().at(-1)!.split(';')[0]!, asked: new URL(response.headers.get('location')!) };
  }

  it('sends the practitioner to the provider with state, nonce and a PKCE challenge, and signs them in with what comes back', async () => {
    const { cookie, asked } = await begin();
    expect(`${asked.origin}${asked.pathname}`).toBe(`${provider.issuer}/authorize`);
    expect(Object.fromEntries(['response_type', 'client_id', 'code_challenge_method', 'scope'].map((k) => [k, asked.searchParams.get(k)]))).toEqual({
      response_type: 'code',
      client_id: 'child-view-web',
      code_challenge_method: 'S256',
      scope: 'openid profile',
    });
    provider.codes.set('code-1', { challenge: asked.searchParams.get('code_challenge')!, nonce: asked.searchParams.get('nonce')! });
    const back = await fetch(`${web.url}/sign-in/callback?code=code-1&state=${asked.searchParams.get('state')}`, { headers: { cookie }, redirect: 'manual' });
    expect([back.status, back.headers.get('location')]).toEqual([303, '/purpose']);
    const signedIn = back.headers.getSetCookie().at(-1)!.split(';')[0]!;
    expect(signedIn).not.toBe(cookie);
    const page = await (await fetch(`${web.url}/purpose`, { headers: { cookie: signedIn } })).text();
    expect(page).toContain('Signed in as <strong>Sam Jones</strong>');
    expect(page).not.toContain('DEVELOPMENT ONLY');
  });

  it("refuses an answer whose state is not this browser's, and a code the provider will not exchange", async () => {
    const { cookie, asked } = await begin();
    const forged = await fetch(`${web.url}/sign-in/callback?code=code-2&state=someone-elses`, { headers: { cookie }, redirect: 'manual' });
    expect(forged.status).toBe(400);
    const unknown = await fetch(`${web.url}/sign-in/callback?code=never-issued&state=${asked.searchParams.get('state')}`, {
      headers: { cookie },
      redirect: 'manual',
    });
    expect(unknown.status).toBe(500);
    expect(await unknown.text()).not.toContain('invalid_grant');
    expect((await fetch(`${web.url}/find`, { headers: { cookie }, redirect: 'manual' })).headers.get('location')).toBe('/sign-in');
  });
});
