import { importJWK, SignJWT, type JWK, type KeyLike } from 'jose';
import type { Caller } from '../shared';

/** The demo personas, all fictional, matched to relationships in the synthetic seed. */
export const personas = {
  'sw.jones': { sub: 'sw.jones', name: 'Sam Jones', org: 'NS001', orgType: 'local-authority', roles: ['social-worker'], team: 'Assessment A' },
  'sw.ahmed': { sub: 'sw.ahmed', name: 'Priya Ahmed', org: 'NS001', orgType: 'local-authority', roles: ['social-worker'], team: 'Children in Care' },
  'tm.patel': { sub: 'tm.patel', name: 'Ravi Patel', org: 'NS001', orgType: 'local-authority', roles: ['team-manager'], team: 'Assessment A' },
  'gp.smith': { sub: 'gp.smith', name: 'Dr Alex Smith', org: 'Y00001', orgType: 'gp-practice', roles: ['gp'] },
  'dr.lee': { sub: 'dr.lee', name: 'Dr Jordan Lee', org: 'RNS01', orgType: 'hospital', roles: ['emergency-clinician'] },
  'dsl.khan': { sub: 'dsl.khan', name: 'Farah Khan', org: '100001', orgType: 'school', roles: ['school-dsl'] },
  'ho.evans': { sub: 'ho.evans', name: 'Owen Evans', org: 'NH', orgType: 'housing-provider', roles: ['housing-officer'] },
  'cg.wright': { sub: 'cg.wright', name: 'Chris Wright', org: 'NS001', orgType: 'local-authority', roles: ['privacy-officer'] },
} as const satisfies Record<string, Caller>;
export type PersonaName = keyof typeof personas;

export const DEV_ISSUER = 'child-view-dev';
export const DEV_AUDIENCE = 'child-view';

/** A token for a demo persona, signed with a development key, as an identity provider would issue it. */
export async function signPersonaToken(
  persona: PersonaName,
  privateJwk: JWK,
  options: { issuer?: string; audience?: string; expiresIn?: string } = {},
): Promise<string> {
  const key = (await importJWK(privateJwk, 'ES256')) as KeyLike;
  return new SignJWT({ ...personas[persona] })
    .setProtectedHeader({ alg: 'ES256', ...(privateJwk.kid ? { kid: privateJwk.kid } : {}) })
    .setIssuer(options.issuer ?? DEV_ISSUER)
    .setAudience(options.audience ?? DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '8h')
    .sign(key);
}
