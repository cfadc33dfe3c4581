import { createLocalJWKSet, importJWK, jwtVerify, SignJWT, type JSONWebKeySet, type JWK, type KeyLike } from 'jose';
import { GraphQLError } from 'graphql';
import { authoritySchema, type Authority } from './authority';
import { ErrorCode } from './errors';

/** The header that carries the gateway's signed context to a subgraph. */
export const CONTEXT_HEADER = 'x-gateway-context';
const ISSUER = 'child-view-gateway';
const ALGORITHM = 'ES256';

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
}

/**
 * Signs the context of one request for one subgraph: a short-lived JWT with
 * audience = that subgraph, carrying the caller, purpose, break-glass and trace id.
 */
export function createContextSigner(options: { privateJwk: JWK; ttlSeconds?: number }) {
  const keyPromise = importJWK(options.privateJwk, ALGORITHM) as Promise<KeyLike>;
  const ttl = options.ttlSeconds ?? 60;
  return async (authority: Authority, audience: string): Promise<string> =>
    new SignJWT({ authority })
      .setProtectedHeader({ alg: ALGORITHM, ...(options.privateJwk.kid ? { kid: options.privateJwk.kid } : {}) })
      .setIssuer(ISSUER)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(`${ttl}s`)
      .sign(await keyPromise);
}

/**
 * Verifies the gateway's signed context for `agency`: no context, a forged or
 * expired one, or one meant for another agency is UNAUTHENTICATED.
 */
export function createContextVerifier(options: { gatewayKeys: JSONWebKeySet; agency: string }) {
  const keys = createLocalJWKSet(options.gatewayKeys);
  return async (token: string | undefined): Promise<Authority> => {
    if (!token) throw unauthenticated(`The ${options.agency} subgraph answers only requests carrying the gateway's signed context`);
    try {
      const { payload } = await jwtVerify(token, keys, { issuer: ISSUER, audience: options.agency, algorithms: [ALGORITHM], requiredClaims: ['exp'] });
      return authoritySchema.parse(payload.authority);
    } catch {
      throw unauthenticated(`The gateway's signed context is missing, forged, expired or meant for another agency`);
    }
  };
}
