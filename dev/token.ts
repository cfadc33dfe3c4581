import { DEV_PERSONA_KEY_PATH, loadOrCreateDevKeyPair } from '../shared';
import { personas, signPersonaToken } from './personas';

/**
 * `npm run token -- <persona>`: prints only a token for a demo persona, signed by
 * the local development key (a gateway trusts it only with AUTH_TRUST_DEV_KEY=true).
 */
async function main(persona: string | undefined): Promise<void> {
  if (!persona || !(persona in personas)) {
    throw new Error(`Usage: npm run token -- <persona>, one of ${Object.keys(personas).join(', ')}${persona ? `; got "${persona}"` : ''}`);
  }
  const { privateJwk } = await loadOrCreateDevKeyPair(DEV_PERSONA_KEY_PATH, 'personas-dev');
  process.stdout.write(`${await signPersonaToken(persona, privateJwk)}\n`);
}

main(process.argv[2]).catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
