import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from 'jose';

export interface KeyPair { privateJwk: JWK; publicJwks: JSONWebKeySet }

/** A fresh ES256 key pair, as JWKs; `kid` names it. */
export async function createKeyPair(kid: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { privateJwk, publicJwks: { keys: [publicJwk] } };
}

/**
 * A development key pair kept in a git-ignored file, generated on first use.
 * Development only: deployments give each service its keys through config.
 */
export async function loadOrCreateDevKeyPair(path: string, kid: string): Promise<KeyPair> {
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as KeyPair;
  const pair = await createKeyPair(kid);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(pair, null, 2), { mode: 0o600 });
  return pair;
}

export function readJson<T>(path: string, what: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new Error(`Cannot read ${what} from ${path}: ${(error as Error).message}`);
  }
}

/** Where development keys live: git-ignored, beside the repository's code. */
export const DEV_KEYS_DIR = join(__dirname, '..', '.keys');
/** The development key pair the gateway signs its context with, when no key is configured. */
export const DEV_GATEWAY_KEY_PATH = join(DEV_KEYS_DIR, 'gateway-dev.json');
/** The development key pair `npm run token` signs persona tokens with. */
export const DEV_PERSONA_KEY_PATH = join(DEV_KEYS_DIR, 'personas-dev.json');
