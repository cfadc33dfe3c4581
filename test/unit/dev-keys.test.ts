import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateDevKeyPair } from '../../shared';

describe('development keys', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cv-dev-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives services that start together one pair, created once', async () => {
    const path = join(dir, 'keys', 'gateway-dev.json');
    const pairs = await Promise.all(Array.from({ length: 6 }, () => loadOrCreateDevKeyPair(path, 'gateway-dev')));
    const kept = JSON.parse(readFileSync(path, 'utf8'));
    for (const pair of pairs) expect(pair).toEqual(kept);
    expect(readdirSync(join(dir, 'keys'))).toEqual(['gateway-dev.json']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // Later starts read the same pair.
    expect(await loadOrCreateDevKeyPair(path, 'gateway-dev')).toEqual(kept);
  });
});
