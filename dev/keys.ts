import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createKeyPair, GATEWAY_KEY_ALGORITHM } from '../shared';

/**
 * `npm run keys -- <folder>`: writes a new gateway signing key pair for a
 * deployment: `gateway-signing.jwk.json` (private, for the gateway's
 * GATEWAY_SIGNING_KEY_PATH) and `gateway.jwks.json` (public, for each
 * subgraph's GATEWAY_JWKS_PATH).
 */
async function main(folder: string | undefined): Promise<void> {
  if (!folder) throw new Error('Usage: npm run keys -- <folder>');
  const dir = resolve(folder);
  mkdirSync(dir, { recursive: true });
  const pair = await createKeyPair(`gateway-${new Date().toISOString().slice(0, 10)}`, GATEWAY_KEY_ALGORITHM);
  writeFileSync(join(dir, 'gateway-signing.jwk.json'), JSON.stringify(pair.privateJwk, null, 2), { mode: 0o600 });
  writeFileSync(join(dir, 'gateway.jwks.json'), JSON.stringify(pair.publicJwks, null, 2));
  process.stdout.write(`Wrote ${join(dir, 'gateway-signing.jwk.json')} and ${join(dir, 'gateway.jwks.json')}\n`);
}

main(process.argv[2]).catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
