import { createLocalJWKSet, importJWK, jwtVerify, SignJWT, type JSONWebKeySet, type JWK, type KeyLike } from 'jose';
import { authoritySchema, unauthenticated, type Authority } from '../common';

/** The header that carries the gateway's signed context to a subgraph. */
export const CONTEXT_HEADER = 'x-gateway-context';
const ISSUER = 'child-view-gateway';
/** What a subgraph accepts: EdDSA, what new gateway keys are (GATEWAY_KEY_ALGORITHM), and ES256, what keys made before were. Never a symmetric or unsigned one. */
const ALGORITHMS = ['EdDSA', 'ES256'];

/** The algorithm of a private key: its `alg`, else what its key type implies (an OKP key is Ed25519, an EC key P-256). */
function algorithmOf(jwk: JWK): string {
  const alg = jwk.alg ?? (jwk.kty === 'OKP' ? 'EdDSA' : 'ES256');
  if (!ALGORITHMS.includes(alg)) throw new Error(`The gateway's signing key must be EdDSA (Ed25519) or ES256; it is ${alg}`);
  return alg;
}

/** A short-lived JWT from the gateway (EdDSA, or ES256 with a key made before), with audience = one subgraph. */
function createSigner(options: { privateJwk: JWK; ttlSeconds?: number }) {
  const alg = algorithmOf(options.privateJwk);
  const keyPromise = importJWK(options.privateJwk, alg) as Promise<KeyLike>;
  const ttl = options.ttlSeconds ?? 60;
  return async (claims: Record<string, unknown>, audience: string): Promise<string> =>
    new SignJWT(claims)
      .setProtectedHeader({ alg, ...(options.privateJwk.kid ? { kid: options.privateJwk.kid } : {}) })
      .setIssuer(ISSUER)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(`${ttl}s`)
      .sign(await keyPromise);
}

/**
 * Signs the context of one request for one subgraph: a short-lived JWT with
 * audience = that subgraph, carrying the caller, purpose, break-glass and trace id.
 */
export function createContextSigner(options: { privateJwk: JWK; ttlSeconds?: number }) {
  const sign = createSigner(options);
  return (authority: Authority, audience: string): Promise<string> => sign({ authority }, audience);
}

/** The claim of a request signed for composition: it may ask for the subgraph's SDL (`_service`) and nothing else. */
const SDL_SCOPE = 'sdl';

/**
 * Signs the gateway's request for one subgraph's SDL (`_service { sdl }`), which composition makes at
 * start: a short-lived JWT with audience = that subgraph, carrying no caller, good for the SDL only.
 */
export function createSdlRequestSigner(options: { privateJwk: JWK; ttlSeconds?: number }) {
  const sign = createSigner(options);
  return (audience: string): Promise<string> => sign({ scope: SDL_SCOPE }, audience);
}

/**
 * Verifies the gateway's signed context for `agency`: no context, a forged or
 * expired one, or one meant for another agency is UNAUTHENTICATED. A context
 * signed for composition (`createSdlRequestSigner`) verifies as `null`: no
 * authority, so good for `_service` alone.
 */
export function createContextVerifier(options: { gatewayKeys: JSONWebKeySet; agency: string }) {
  const keys = createLocalJWKSet(options.gatewayKeys);
  return async (token: string | undefined): Promise<Authority | null> => {
    if (!token) throw unauthenticated(`The ${options.agency} subgraph answers only requests carrying the gateway's signed context`);
    try {
      const { payload } = await jwtVerify(token, keys, { issuer: ISSUER, audience: options.agency, algorithms: ALGORITHMS, requiredClaims: ['exp'] });
      if (payload.scope === SDL_SCOPE && payload.authority === undefined) return null;
      return authoritySchema.parse(payload.authority);
    } catch {
      throw unauthenticated(`The gateway's signed context is missing, forged, expired or meant for another agency`);
    }
  };
}
