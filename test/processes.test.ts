import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { signPersonaToken } from '../dev/personas';
import { REGISTRY } from '../registry';
import { documentHash, operations, WEB_CLIENT_NAME } from '../web';
import { createKeyPair, GATEWAY_KEY_ALGORITHM } from '../shared';
import { post } from './start-federation';
import { freePort, start, waitForHealth, type Service } from './spawn-service';

describe('each service as its own process, started by its main.ts', () => {
  const services: Service[] = [];
  let gatewayUrl = '';
  let token = '';
  let dir = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cv-processes-'));
    const gatewayKeys = await createKeyPair('gateway-processes', GATEWAY_KEY_ALGORITHM);
    const personaKeys = await createKeyPair('personas-processes');
    writeFileSync(join(dir, 'gateway.jwks.json'), JSON.stringify(gatewayKeys.publicJwks));
    writeFileSync(join(dir, 'gateway-signing.jwk.json'), JSON.stringify(gatewayKeys.privateJwk));
    writeFileSync(join(dir, 'idp.jwks.json'), JSON.stringify(personaKeys.publicJwks));
    token = await signPersonaToken('sw.jones', personaKeys.privateJwk);
    const urls: Record<string, string> = {};
    for (const agency of REGISTRY) {
      const port = await freePort();
      const prefix = agency.name.toUpperCase();
      const service = start(agency.name, `subgraphs/${agency.name}/main.ts`, {
        [`${prefix}_PORT`]: String(port),
        DATA_DIR: join(dir, 'data'),
        SEED_IF_EMPTY: 'true',
        SEED_CHILDREN: '50',
        GATEWAY_JWKS_PATH: join(dir, 'gateway.jwks.json'),
        LOG_LEVEL: 'info',
        NODE_ENV: 'production',
      });
      services.push(service);
      urls[`${prefix}_URL`] = `http://127.0.0.1:${port}/graphql`;
    }
    await Promise.all(services.map((s) => waitForHealth(urls[`${s.name.toUpperCase()}_URL`]!.replace('/graphql', '/health'), s)));
    const port = await freePort();
    const gateway = start('gateway', 'gateway/main.ts', {
      ...urls,
      PORT: String(port),
      AUTH_JWKS_PATH: join(dir, 'idp.jwks.json'),
      GATEWAY_SIGNING_KEY_PATH: join(dir, 'gateway-signing.jwk.json'),
      GATEWAY_AUDIT_PATH: join(dir, 'gateway-audit.jsonl'),
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
    });
    services.push(gateway);
    gatewayUrl = `http://127.0.0.1:${port}/graphql`;
    await waitForHealth(gatewayUrl.replace('/graphql', '/health'), gateway);
  }, 180_000);

  afterAll(async () => {
    for (const s of services) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  });

  it('runs only registered operations outside development: a free-form query is refused before anything is fetched', async () => {
    const { status, body } = await post(
      gatewayUrl,
      { query: '{ child(nhsNumber: "9990000018") { name { given } socialCare { status } housing { matchConfidence } } }' },
      { authorization: `Bearer ${token}`, 'x-purpose-of-use': 'safeguarding' },
    );
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('TRUSTED_DOCUMENT_REQUIRED');
  });

  it("answers the web app's single view, sent by its hash, across processes", async () => {
    const { body } = await post(
      gatewayUrl,
      { variables: { nhsNumber: '9990000018' }, extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(operations.childView) } } },
      { authorization: `Bearer ${token}`, 'x-purpose-of-use': 'safeguarding', 'apollographql-client-name': WEB_CLIENT_NAME },
    );
    expect(body.errors).toBeUndefined();
    const child = (body.data as { child: { name: { given: string }; socialCare: { status: string }; housing: { matchConfidence: number } } }).child;
    expect({ given: child.name.given, status: child.socialCare.status, matchConfidence: child.housing.matchConfidence }).toEqual({
      given: 'Amelia',
      status: 'CHILD_PROTECTION_PLAN',
      matchConfidence: 1,
    });
  });

  it('logs JSON lines naming the service', () => {
    for (const s of services) {
      const records = s.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { service?: string; level?: number });
      expect(records.length).toBeGreaterThan(0);
      expect(records.every((r) => typeof r.service === 'string' && typeof r.level === 'number')).toBe(true);
    }
  });

  it('stops cleanly on SIGTERM, the gateway writing the heads the agencies last showed it, against which every chain verifies', async () => {
    for (const s of services) s.child.kill('SIGTERM');
    // A second signal while stopping (as a person pressing Ctrl-C after a SIGTERM) waits for the one stop.
    services.at(-1)!.child.kill('SIGINT');
    expect(await Promise.all(services.map((s) => s.exit))).toEqual(services.map(() => 0));
    const gatewayLog = join(dir, 'gateway-audit.jsonl');
    const last = JSON.parse(readFileSync(gatewayLog, 'utf8').trim().split('\n').at(-1)!) as { kind?: string; witnessed?: Record<string, unknown> };
    expect(last.kind).toBe('witnessed');
    expect(Object.keys(last.witnessed ?? {}).sort()).toEqual(REGISTRY.map((a) => a.name).sort()); // the single view asks every agency
    const environment: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'silent' };
    for (const agency of REGISTRY) environment[`${agency.name.toUpperCase()}_DATABASE_URL`] = '';
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'tools/audit/cli.ts', 'verify', '--gateway-log', gatewayLog], {
      env: environment,
    });
    for (const agency of ['identity', 'socialcare', 'housing'])
      expect(stdout).toMatch(new RegExp(`^${agency}: intact, \\d+ rows; [1-9]\\d* heads witnessed by the gateway match$`, 'm'));
  }, 90_000);

  it('refuses to start with a bad configuration value, naming it', async () => {
    const bad = start('health', 'subgraphs/health/main.ts', { HEALTH_PORT: 'forty-two' });
    expect(await bad.exit).toBe(1);
    expect(bad.lines.join('\n')).toContain('HEALTH_PORT="forty-two"');
  });
});
