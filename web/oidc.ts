import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUrl: string;
  /** @default 'openid profile' */
  scope?: string;
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

export interface OidcClient {
  /** Where to send the browser to sign in, and what to keep in the session to check the answer. */
  begin(): Promise<{ url: string; state: string; nonce: string; verifier: string }>;
  /** Exchanges the code for tokens, checks the ID token, and answers the access token and who it is for. */
  finish(code: string, expected: { nonce: string; verifier: string }): Promise<{ accessToken: string; claims: Record<string, unknown> }>;
}

const random = () => randomBytes(32).toString('base64url');

/** The authorisation code flow with PKCE against any OpenID Connect provider, found by its discovery document. */
export function createOidcClient(settings: OidcSettings): OidcClient {
  let discovery: Promise<Discovery> | undefined;
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  const discover = () => {
    discovery ??= fetch(new URL('.well-known/openid-configuration', settings.issuer.endsWith('/') ? settings.issuer : `${settings.issuer}/`), {
      signal: AbortSignal.timeout(10_000),
    })
      .then((r) => {
        if (!r.ok) throw new Error(`the identity provider's discovery document answered ${r.status}`);
        return r.json() as Promise<Discovery>;
      })
      .catch((error: Error) => {
        discovery = undefined;
        throw error;
      });
    return discovery;
  };
  return {
    async begin() {
      const { authorization_endpoint } = await discover();
      const state = random();
      const nonce = random();
      const verifier = random();
      const url = new URL(authorization_endpoint);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: settings.clientId,
        redirect_uri: settings.redirectUrl,
        scope: settings.scope ?? 'openid profile',
        state,
        nonce,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      return { url: url.toString(), state, nonce, verifier };
    },
    async finish(code, expected) {
      const { token_endpoint, jwks_uri } = await discover();
      const response = await fetch(token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: settings.redirectUrl,
          client_id: settings.clientId,
          client_secret: settings.clientSecret,
          code_verifier: expected.verifier,
        }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`the identity provider refused the sign-in code (${response.status})`);
      const tokens = (await response.json()) as { access_token?: string; id_token?: string };
      if (!tokens.access_token || !tokens.id_token) throw new Error('the identity provider gave no access token or ID token');
      jwks ??= createRemoteJWKSet(new URL(jwks_uri));
      const { payload } = await jwtVerify(tokens.id_token, jwks, { issuer: settings.issuer, audience: settings.clientId });
      if (payload.nonce !== expected.nonce) throw new Error('the ID token was not issued for this sign-in');
      return { accessToken: tokens.access_token, claims: payload };
    },
  };
}
