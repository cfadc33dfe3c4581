import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from 'jose';

/**
 * ES256 for identity providers' tokens (what they issue); EdDSA (Ed25519) for the gateway's signed context, which
 * every agency verifies on every call: about a third of ES256's cost to verify (docs/benchmarks.md).
 */
export type KeyAlgorithm = 'ES256' | 'EdDSA';

/** The algorithm the gateway signs its context with, for new keys; agencies also accept ES256, for keys made before. */
export const GATEWAY_KEY_ALGORITHM: KeyAlgorithm = 'EdDSA';

export interface KeyPair {
  privateJwk: JWK;
  publicJwks: JSONWebKeySet;
}

/** A fresh key pair (ES256, or `alg`), as JWKs; `kid` names it. */
export async function createKeyPair(kid: string, alg: KeyAlgorithm = 'ES256'): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { privateJwk, publicJwks: { keys: [publicJwk] } };
}

/**
 * A development key pair kept in a git-ignored file, generated on first use.
 * Development only: deployments give each service its keys through config.
 * Services started together (the gateway and the agencies, each in its own
 * process) all end up with the one pair: only the first creates the file (an
 * exclusive create), and the others read it, waiting if it is still being
 * written.
 */
export async function loadOrCreateDevKeyPair(path: string, kid: string, alg: KeyAlgorithm = 'ES256'): Promise<KeyPair> {
  if (existsSync(path)) return readPair(path);
  const pair = await createKeyPair(kid, alg);
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, JSON.stringify(pair, null, 2), { mode: 0o600, flag: 'wx' });
    return pair;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readPair(path);
  }
}

/** Reads a key pair file; one another process is still writing (empty or cut short) is read again shortly. */
async function readPair(path: string): Promise<KeyPair> {
  for (let attempt = 1; ; attempt++) {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as KeyPair;
    } catch (error) {
      if (!(error instanceof SyntaxError) || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

export function readJson<T>(path: string, what: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new Error(`Cannot read ${what} from ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Where development keys live: git-ignored, beside the repository's code. */
export const DEV_KEYS_DIR = join(__dirname, '..', '..', '.keys');
/** The development key pair the gateway signs its context with, when no key is configured. */
export const DEV_GATEWAY_KEY_PATH = join(DEV_KEYS_DIR, 'gateway-dev.json');
/** The development key pair `npm run token` signs persona tokens with. */
export const DEV_PERSONA_KEY_PATH = join(DEV_KEYS_DIR, 'personas-dev.json');
