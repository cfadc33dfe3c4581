import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importJWK, SignJWT, type JWK, type KeyLike } from 'jose';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { agencyDir, AGENCY_NAMES } from '../../registry';
import { callerSchema, type Caller } from './authority';

export const DEV_ISSUER = 'child-view-dev';
export const DEV_AUDIENCE = 'child-view';

const personaFileSchema = z.record(z.string().regex(/^[a-z]+\.[a-z]+$/, 'a persona is named like sw.jones'), callerSchema.omit({ sub: true }).strict());

let loaded: Readonly<Record<string, Caller>> | undefined;

/**
 * The demo personas, all fictional, matched to relationships in the synthetic seed: each agency's
 * `personas.yaml`, for development sign-in, `npm run token` and the tests. A persona's name is its `sub`.
 */
export function demoPersonas(): Readonly<Record<string, Caller>> {
  if (loaded) return loaded;
  const all: Record<string, Caller> = {};
  for (const agency of AGENCY_NAMES) {
    const file = join(agencyDir(agency), 'personas.yaml');
    if (!existsSync(file)) continue;
    const parsed = personaFileSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    }
    for (const [sub, persona] of Object.entries(parsed.data)) {
      if (all[sub]) throw new Error(`${file}: the persona ${sub} is also another agency's`);
      all[sub] = { sub, ...persona };
    }
  }
  return (loaded = Object.freeze(all));
}

/** One demo persona; an unknown name throws, naming the known ones. */
export function demoPersona(name: string): Caller {
  const persona = demoPersonas()[name];
  if (!persona) throw new Error(`"${name}" is not a demo persona: one of ${Object.keys(demoPersonas()).join(', ')}`);
  return persona;
}

/** A token for a demo persona, signed with a development key, as an identity provider would issue it. */
export async function signPersonaToken(
  persona: string,
  privateJwk: JWK,
  options: { issuer?: string; audience?: string; expiresIn?: string } = {},
): Promise<string> {
  const key = (await importJWK(privateJwk, 'ES256')) as KeyLike;
  return new SignJWT({ ...demoPersona(persona) })
    .setProtectedHeader({ alg: 'ES256', ...(privateJwk.kid ? { kid: privateJwk.kid } : {}) })
    .setIssuer(options.issuer ?? DEV_ISSUER)
    .setAudience(options.audience ?? DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '8h')
    .sign(key);
}
