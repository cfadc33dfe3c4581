import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { importJWK, SignJWT, type JWK } from 'jose';
import { REGISTRY as AGENCIES } from '../../registry';
import {
  createKeyPair,
  DEV_AUDIENCE,
  GATEWAY_KEY_ALGORITHM,
  DEV_ISSUER,
  demoPersona,
  demoPersonas,
  openAgencyDatabase,
  signPersonaToken,
  type AgencyDatabase,
} from '../../shared';
import { freePort, residentMb, start, startCommand, waitForHealth, type Service } from './processes';

/** How many practitioners do each persona's work: a county has many social workers, each with their own limits. */
export const COLLEAGUES = 6;

/** The persona itself, or its `n`th colleague (the same roles and organisation, a login of their own). */
export const colleague = (persona: string, n: number) => (n === 0 ? persona : `${persona}.${n}`);

async function colleagueToken(persona: string, n: number, privateJwk: JWK): Promise<string> {
  if (n === 0) return signPersonaToken(persona, privateJwk, { expiresIn: '12h' });
  const { name } = demoPersona(persona);
  return new SignJWT({ ...demoPersona(persona), sub: colleague(persona, n), name: `${name} (colleague ${n}, fictional)` })
    .setProtectedHeader({ alg: 'ES256', ...(privateJwk.kid ? { kid: privateJwk.kid } : {}) })
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('12h')
    .sign(await importJWK(privateJwk, 'ES256'));
}

interface Managed {
  name: string;
  health: string;
  service: Service;
  restart: () => Service;
  startedAt: number;
}

export interface SoakFederationOptions {
  /** A folder of the soak's own: embedded databases, keys, the gateway's audit log. */
  dir: string;
  children: number;
  /** A PostgreSQL server: each agency gets a database of its own on it; embedded databases when unset. */
  databaseUrl?: string;
  /** Run a Redis of the soak's own (so that it can be restarted) for the gateway's shared state. */
  redis: boolean;
}

/**
 * The whole federation as separate processes, each started by its main.ts as
 * a deployment starts it: five agencies on databases of their own, the
 * gateway, and (when asked) a Redis; each can be killed or restarted.
 */
export async function startSoakFederation(options: SoakFederationOptions) {
  const { dir } = options;
  const gatewayKeys = await createKeyPair('gateway-soak', GATEWAY_KEY_ALGORITHM);
  const personaKeys = await createKeyPair('idp-soak');
  writeFileSync(join(dir, 'gateway.jwks.json'), JSON.stringify(gatewayKeys.publicJwks));
  writeFileSync(join(dir, 'gateway-signing.jwk.json'), JSON.stringify(gatewayKeys.privateJwk));
  writeFileSync(join(dir, 'idp.jwks.json'), JSON.stringify(personaKeys.publicJwks));
  const tokens: Record<string, string> = {};
  for (const persona of Object.keys(demoPersonas())) {
    for (let n = 0; n < COLLEAGUES; n++) tokens[colleague(persona, n)] = await colleagueToken(persona, n, personaKeys.privateJwk);
  }
  const databases = options.databaseUrl ? await createDatabases(options.databaseUrl) : null;
  const managed: Managed[] = [];
  const manage = (name: string, health: string, launch: () => Service) => {
    const entry: Managed = { name, health, service: launch(), restart: () => (entry.service = launch()), startedAt: Date.now() };
    managed.push(entry);
    return entry;
  };
  try {
    let redisUrl: string | undefined;
    if (options.redis) {
      const port = await freePort();
      redisUrl = `redis://127.0.0.1:${port}`;
      manage('redis', '', () => startCommand('redis', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']));
      await waitForRedis(port);
    }
    const urls: Record<string, string> = {};
    for (const agency of AGENCIES) {
      const port = await freePort();
      const prefix = agency.name.toUpperCase();
      urls[`${prefix}_URL`] = `http://127.0.0.1:${port}/graphql`;
      manage(agency.name, `http://127.0.0.1:${port}/health`, () =>
        start(agency.name, `subgraphs/${agency.name}/main.ts`, {
          [`${prefix}_PORT`]: String(port),
          DATA_DIR: join(dir, 'data'),
          [`${prefix}_DATABASE_URL`]: databases?.urls[agency.name] ?? '',
          [`${prefix}_SERVICE_DATABASE_URL`]: '',
          SEED_IF_EMPTY: 'true',
          SEED_CHILDREN: String(options.children),
          GATEWAY_JWKS_PATH: join(dir, 'gateway.jwks.json'),
          LOG_LEVEL: 'warn',
          NODE_ENV: 'production',
        }),
      );
    }
    await Promise.all(managed.filter((m) => m.health).map((m) => waitForHealth(m.health, m.service, 600)));
    const port = await freePort();
    const gatewayUrl = `http://127.0.0.1:${port}/graphql`;
    const auditPath = join(dir, 'gateway-audit.jsonl');
    const gateway = manage('gateway', gatewayUrl.replace('/graphql', '/health'), () =>
      start('gateway', 'gateway/main.ts', {
        ...urls,
        PORT: String(port),
        AUTH_JWKS_PATH: join(dir, 'idp.jwks.json'),
        GATEWAY_SIGNING_KEY_PATH: join(dir, 'gateway-signing.jwk.json'),
        GATEWAY_AUDIT_PATH: auditPath,
        REDIS_URL: redisUrl ?? '',
        LOG_LEVEL: 'warn',
        NODE_ENV: 'production',
        AUTH_TRUST_DEV_KEY: 'false',
        // The soak's clients send operations of their own making, not a registered client's.
        TRUSTED_DOCUMENTS: 'allow',
      }),
    );
    await waitForHealth(gateway.health, gateway.service);
    const find = (name: string) => managed.find((m) => m.name === name)!;
    const stopped = async (m: Managed, signal: NodeJS.Signals) => {
      if (m.service.child.exitCode === null && m.service.child.signalCode === null) m.service.child.kill(signal);
      await m.service.exit;
    };
    const relaunch = async (m: Managed) => {
      m.restart();
      m.startedAt = Date.now();
      if (m.name === 'redis') await waitForRedis(Number(new URL(redisUrl!).port));
      else await waitForHealth(m.health, m.service, 600);
    };
    return {
      gatewayUrl,
      tokens,
      auditPath,
      redisUrl,
      names: () => managed.map((m) => m.name),
      startedAt: (name: string) => find(name).startedAt,
      /** Kills an agency's process outright (no chance to flush) and starts it again on the same database. */
      async killAndRestart(name: string) {
        await stopped(find(name), 'SIGKILL');
        await relaunch(find(name));
      },
      /** Stops a process as an orchestrator would (SIGTERM, SIGKILL for Redis, which keeps nothing), and starts it again. */
      async restart(name: string) {
        await stopped(find(name), name === 'redis' ? 'SIGKILL' : 'SIGTERM');
        await relaunch(find(name));
      },
      rss: () => Object.fromEntries(managed.map((m) => [m.name, residentMb(m.service.child.pid)])) as Record<string, number | null>,
      /** Each process's exit code after SIGTERM, the gateway first, so that it writes the heads the agencies last showed it. */
      async stop(): Promise<Record<string, number | null>> {
        const codes: Record<string, number | null> = {};
        for (const m of [gateway, ...managed.filter((x) => x !== gateway)]) {
          await stopped(m, 'SIGTERM');
          codes[m.name] = m.service.child.exitCode;
        }
        return codes;
      },
      /** Kills every process still running (a soak that failed midway leaves none behind). */
      async kill(): Promise<void> {
        await Promise.all(managed.map((m) => stopped(m, 'SIGKILL')));
      },
      /** An agency's database, as its owner, once its process has stopped. */
      openAgency: (name: string): Promise<AgencyDatabase> =>
        openAgencyDatabase(databases ? { url: databases.urls[name] } : { dataDir: join(dir, 'data', name) }),
      dropDatabases: () => databases?.drop() ?? Promise.resolve(),
      logsOf: (name: string) => find(name).service.lines,
    };
  } catch (error) {
    for (const m of managed) m.service.child.kill('SIGKILL');
    await databases?.drop();
    throw error;
  }
}

export type SoakFederation = Awaited<ReturnType<typeof startSoakFederation>>;

async function createDatabases(serverUrl: string) {
  const suffix = randomBytes(3).toString('hex');
  const names = Object.fromEntries(AGENCIES.map((a) => [a.name, `cvsoak_${a.name}_${suffix}`]));
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    for (const name of Object.values(names)) await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const urls = Object.fromEntries(
    Object.entries(names).map(([agency, name]) => {
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return [agency, url.toString()];
    }),
  );
  return {
    urls,
    async drop() {
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      try {
        for (const name of Object.values(names)) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

async function waitForRedis(port: number): Promise<void> {
  const { createConnection } = await import('node:net');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write('PING\r\n'));
      socket.once('data', (d) => {
        socket.destroy();
        resolve(d.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Redis on port ${port} did not answer`);
}
