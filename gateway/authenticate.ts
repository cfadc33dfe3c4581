import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { GraphQLError } from 'graphql';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { BREAK_GLASS_MIN_LENGTH, callerSchema, ErrorCode, PURPOSES, unauthenticated, type Authority, type Purpose } from '../shared';

export interface AuthenticatorOptions {
  /** Trusted signing keys of the identity provider (and, in development only, of the persona key). */
  keys: JSONWebKeySet;
  /** The identity provider's JWKS endpoint, tried when no local key matches. */
  jwksUrl?: string;
  issuer: string;
  audience: string;
}

const reasons: Record<string, string> = {
  ERR_JWT_EXPIRED: 'it has expired',
  ERR_JWT_CLAIM_VALIDATION_FAILED: 'its issuer, audience, expiry or time claims are not accepted',
  ERR_JOSE_ALG_NOT_ALLOWED: 'it is not signed with RS256 or ES256',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'its signature does not verify',
  ERR_JWKS_NO_MATCHING_KEY: 'no trusted key signed it',
  ERR_JWS_INVALID: 'it is not a signed JWT',
  ERR_JWT_INVALID: 'it is not a valid JWT',
};

export function badRequest(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_REQUEST, http: { status: 400 } } });
}

/**
 * Authenticates a request to the gateway: a bearer JWT (RS256 or ES256 only,
 * issuer and audience checked), the purpose of use, and any break-glass
 * justification. Anything wrong stops the request before anything is fetched.
 */
export function createAuthenticator(options: AuthenticatorOptions): (headers: IncomingHttpHeaders) => Promise<Authority> {
  const local = createLocalJWKSet(options.keys);
  const remote = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : undefined;
  const getKey: JWTVerifyGetKey = async (header, token) => {
    try {
      return await local(header, token);
    } catch (error) {
      if (remote) return remote(header, token);
      throw error;
    }
  };
  return async (headers) => {
    const authorization = header(headers, 'authorization');
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) throw unauthenticated('A bearer token is required: send "Authorization: Bearer <token>"');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(match[1]!, getKey, { algorithms: ['RS256', 'ES256'], issuer: options.issuer, audience: options.audience, requiredClaims: ['exp'] }));
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      throw unauthenticated(`The bearer token is not accepted: ${reasons[code] ?? 'it could not be verified'}`);
    }
    const caller = callerSchema.safeParse(payload);
    if (!caller.success) {
      throw unauthenticated(`The bearer token lacks the claims needed: ${caller.error.issues.map((i) => i.path.join('.') || 'token').join(', ')}`);
    }
    const purpose = purposeOf(header(headers, 'x-purpose-of-use'));
    const breakGlass = breakGlassOf(header(headers, 'x-break-glass'), purpose);
    return { caller: caller.data, purpose, ...(breakGlass ? { breakGlass } : {}), traceId: randomUUID() };
  };
}

function purposeOf(value: string | undefined): Purpose {
  if (!value) throw badRequest(`The X-Purpose-Of-Use header is required: one of ${PURPOSES.join(', ')}`);
  if (!(PURPOSES as readonly string[]).includes(value)) throw badRequest(`X-Purpose-Of-Use "${value}" is not one of ${PURPOSES.join(', ')}`);
  return value as Purpose;
}

function breakGlassOf(value: string | undefined, purpose: Purpose): string | undefined {
  if (value === undefined) return undefined;
  const justification = value.trim();
  if (purpose !== 'emergency-care') throw badRequest('X-Break-Glass may only be used with X-Purpose-Of-Use: emergency-care');
  if (justification.length < BREAK_GLASS_MIN_LENGTH) throw badRequest(`X-Break-Glass needs a written justification of at least ${BREAK_GLASS_MIN_LENGTH} characters`);
  return justification;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
