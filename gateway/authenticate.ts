import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import {
  badRequest,
  BREAK_GLASS_MAX_LENGTH,
  BREAK_GLASS_MIN_LENGTH,
  callerSchema,
  hasUnprintable,
  PURPOSES,
  quoteInput,
  unauthenticated,
  type Authority,
  type Purpose,
} from '../shared';

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
      ({ payload } = await jwtVerify(match[1]!, getKey, {
        algorithms: ['RS256', 'ES256'],
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ['exp'],
      }));
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
  if (!(PURPOSES as readonly string[]).includes(value))
    throw badRequest(`X-Purpose-Of-Use ${quoteInput(value)} is not one of ${PURPOSES.join(', ')}`, { header: 'x-purpose-of-use' });
  return value as Purpose;
}

/**
 * The break-glass justification, from `X-Break-Glass`. HTTP header values are bytes read as latin1, so text
 * other than ASCII would be garbled: the header is printable ASCII, or, for any other text, an RFC 8187
 * ext-value, UTF-8 percent-encoded (`X-Break-Glass: UTF-8''Enfant%20inconscient%20%C3%A0%20l%27accueil…`).
 * Once decoded it must hold at least BREAK_GLASS_MIN_LENGTH letters and digits (spaces, punctuation and
 * invisible characters do not count), at most BREAK_GLASS_MAX_LENGTH characters, and no control or invisible
 * formatting characters.
 */
function breakGlassOf(value: string | undefined, purpose: Purpose): string | undefined {
  if (value === undefined) return undefined;
  if (purpose !== 'emergency-care') throw badRequest('X-Break-Glass may only be used with X-Purpose-Of-Use: emergency-care', BREAK_GLASS);
  const justification = decodeJustification(value).trim();
  if (justification.length > BREAK_GLASS_MAX_LENGTH)
    throw badRequest(`X-Break-Glass: the justification may be at most ${BREAK_GLASS_MAX_LENGTH} characters`, BREAK_GLASS);
  if (hasUnprintable(justification)) throw badRequest('X-Break-Glass: the justification may not hold control or invisible formatting characters', BREAK_GLASS);
  const visible = justification.match(/[\p{L}\p{N}]/gu)?.length ?? 0;
  if (visible < BREAK_GLASS_MIN_LENGTH) {
    throw badRequest(
      `X-Break-Glass needs a written justification of at least ${BREAK_GLASS_MIN_LENGTH} characters (letters and digits; spaces and invisible characters do not count)`,
      BREAK_GLASS,
    );
  }
  return justification;
}

const BREAK_GLASS = { header: 'x-break-glass' };
/** Percent-encoded UTF-8 of BREAK_GLASS_MAX_LENGTH characters (UTF-16 code units, each at most 3 bytes, 9 encoded), and a prefix. */
const MAX_ENCODED_LENGTH = BREAK_GLASS_MAX_LENGTH * 9 + 32;
const EXT_VALUE = /^UTF-8'[A-Za-z0-9-]*'(.*)$/i;

function decodeJustification(value: string): string {
  if (value.length > MAX_ENCODED_LENGTH) throw badRequest(`X-Break-Glass: the justification may be at most ${BREAK_GLASS_MAX_LENGTH} characters`, BREAK_GLASS);
  if (!/^[\x20-\x7e]*$/.test(value)) {
    throw badRequest("X-Break-Glass must be ASCII: send other text UTF-8 percent-encoded as an RFC 8187 value, UTF-8''%C3%80%20…", BREAK_GLASS);
  }
  const ext = EXT_VALUE.exec(value);
  if (!ext) return value;
  try {
    return decodeURIComponent(ext[1]!);
  } catch {
    throw badRequest("X-Break-Glass: the UTF-8'' value is not valid percent-encoded UTF-8", BREAK_GLASS);
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
