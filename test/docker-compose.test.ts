import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadGatewayConfig } from '../gateway';
import { REGISTRY } from '../registry';
import { renderCompose, renderPostgresInit, staleDeployFiles } from '../tools/registry/deploy-files';
import { loadSubgraphConfig, type Env } from '../shared';
import { loadWebConfig } from '../web';
import { SERVICE_NODE_FLAGS } from '../tools/soak/processes';

/** How every service starts: Node with the deployment's flags, running the service's TypeScript through tsx. */
const serviceCommand = (entry: string) => ['node', ...SERVICE_NODE_FLAGS, '--import', 'tsx', entry];

/**
 * Checks docker-compose.yml, the reference deployment, without a Docker engine:
 * every service is read from the YAML and held against the code it runs.
 */

const root = join(__dirname, '..');
const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
// Compose reads YAML merge keys (`<<: *subgraph`): the repeated blocks are written once, as anchors.
const compose = parse(composeText, { merge: true }) as Compose;
const services = compose.services ?? {};
const initSql = readFileSync(join(root, 'deploy/postgres-init.sql'), 'utf8');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

/** The server's superuser password: only postgres itself and the migrate service may hold it. */
const PASSWORD = '${POSTGRES_PASSWORD:?required}';
/** Each agency's serving login's password. */
const servicePassword = (agency: string) => `\${${agency.toUpperCase()}_SERVICE_DB_PASSWORD:?required}`;
const SERVICE_PASSWORDS = REGISTRY.map((a) => servicePassword(a.name));
/** A compose file's text with every password substitution taken out. */
const withoutPasswords = (text: string) => [PASSWORD, ...SERVICE_PASSWORDS].reduce((t, p) => t.split(p).join(''), text);

/** Each agency's subgraph service and the port it listens on. */
const subgraphs: [agency: string, port: number][] = REGISTRY.map((a) => [a.name, a.port]);
/** Each gateway replica and the host port it is published on. */
const gateways: [name: string, hostPort: number][] = [
  ['gateway-1', 4000],
  ['gateway-2', 4010],
];

interface Healthcheck {
  test?: string[] | string;
}
interface Service {
  image?: string;
  build?: unknown;
  command?: unknown;
  environment?: Record<string, unknown> | string[];
  ports?: (string | number)[];
  expose?: unknown[];
  volumes?: unknown[];
  healthcheck?: Healthcheck;
  depends_on?: Record<string, { condition?: string }> | string[];
}
interface Compose {
  services?: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

function service(name: string): Service {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service named ${name}`);
  return found;
}

/** A service's environment as strings, whether written as a map or as KEY=value lines. */
function environmentOf(name: string): Record<string, string> {
  const environment = service(name).environment ?? {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(environment.map((line) => [line.split('=')[0] ?? '', line.split('=').slice(1).join('=')]));
  }
  return Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, String(v)]));
}

/** What a service's process sees once compose has substituted the passwords' defaults. */
function substitutedEnvironmentOf(name: string): Env {
  const substituted = Object.fromEntries(
    Object.entries(environmentOf(name)).map(([k, v]) => [k, [PASSWORD, ...SERVICE_PASSWORDS].reduce((t, p) => t.split(p).join('set-by-the-deployer'), v)]),
  );
  const leftOver = Object.entries(substituted).filter(([, v]) => v.includes('$'));
  expect(leftOver).toEqual([]);
  return substituted;
}

/** Runs `load` on `env` and records every variable name it reads. */
function namesRead<T>(load: (env: Env) => T, env: Env): { result: T; read: Set<string> } {
  const read = new Set<string>();
  const watched = new Proxy(env, {
    get(target, key) {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key) as unknown;
    },
  });
  return { result: load(watched), read };
}

function databasesCreatedByInitSql(): string[] {
  return [...initSql.matchAll(/CREATE\s+DATABASE\s+"?([a-z_][a-z0-9_]*)"?/gi)].map((m) => (m[1] ?? '').toLowerCase());
}

function healthcheckScript(name: string): string {
  const test = service(name).healthcheck?.test;
  expect(Array.isArray(test)).toBe(true);
  const parts = test as string[];
  expect(parts.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
  expect(parts).toHaveLength(4);
  return parts[3] as string;
}

/** The URLs a script mentions. */
function urlsIn(script: string): string[] {
  return [...script.matchAll(/https?:\/\/[^'"`\s)]+/g)].map((m) => m[0]);
}

/** Serves `status` to every request on a free local port, recording the paths asked for. */
async function startStatusServer(status: number): Promise<{ port: number; paths: string[]; server: Server }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, paths, server };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Runs a `node -e` healthcheck script and answers its exit code. */
function runScript(script: string): Promise<number> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['-e', script], { timeout: 15_000 }, (error) => {
      resolve(error ? (typeof error.code === 'number' ? error.code : -1) : 0);
    });
  });
}

/** Runs a service's healthcheck against a local server answering `status` instead of the service. */
async function runHealthcheck(name: string, port: string, status: number | 'nothing listening'): Promise<{ exitCode: number; paths: string[] }> {
  const script = healthcheckScript(name);
  const target = `127.0.0.1:${port}/`;
  expect(script).toContain(target);
  const { port: localPort, paths, server } = await startStatusServer(status === 'nothing listening' ? 200 : status);
  if (status === 'nothing listening') await closeServer(server);
  try {
    const exitCode = await runScript(script.split(target).join(`127.0.0.1:${localPort}/`));
    return { exitCode, paths };
  } finally {
    if (status !== 'nothing listening') await closeServer(server);
  }
}

/** The folders the Dockerfile copies into the image. */
function foldersCopiedIntoImage(): string[] {
  return [...dockerfile.matchAll(/^COPY\s+(?!--)(\S+)\s+\S+\s*$/gm)].map((m) => (m[1] ?? '').replace(/^\.\//, '').replace(/\/$/, ''));
}

function expectHealthcheckFollowsStatus(name: string, port: () => string) {
  it.each([
    [200, 0],
    [503, 1],
  ])('its healthcheck exits 0 only when /health answers 200 (answering %d exits %d)', async (status, expected) => {
    const { exitCode, paths } = await runHealthcheck(name, port(), status);
    expect(paths).toEqual(['/health']);
    expect(exitCode === 0 ? 0 : 1).toBe(expected);
  });

  it('its healthcheck fails when nothing is listening', async () => {
    const { exitCode } = await runHealthcheck(name, port(), 'nothing listening');
    expect(exitCode).not.toBe(0);
  });
}

describe('docker-compose.yml, the reference deployment', () => {
  it('is what the registry writes (npm run registry), as is deploy/postgres-init.sql', () => {
    expect(staleDeployFiles()).toEqual([]);
    expect(renderCompose()).toBe(composeText);
    expect(renderPostgresInit()).toBe(initSql);
  });

  it('changes with the registry: an agency added there is a subgraph, a database and a gateway dependency here', () => {
    const added = [...REGISTRY, { name: 'probation', title: 'Probation', port: 4099, roles: { 'probation-officer': 'probation-service' } }];
    const withProbation = parse(renderCompose(added), { merge: true }) as Compose;
    expect(withProbation.services?.probation?.environment).toMatchObject({ PROBATION_PORT: '4099' });
    expect(Object.keys(withProbation.services?.['gateway-1']?.depends_on ?? {})).toContain('probation');
    expect(renderPostgresInit(added)).toContain('CREATE DATABASE probation;');
  });

  it("runs postgres, redis, the migrations, every agency's subgraph, two gateway replicas and the web app, and nothing else", () => {
    expect(Object.keys(services).sort()).toEqual(['postgres', 'redis', 'migrate', ...subgraphs.map(([a]) => a), ...gateways.map(([g]) => g), 'web'].sort());
  });

  it('names the same agencies on the same ports as the gateway federates', () => {
    const served = Object.keys(services).flatMap((name) => {
      const entry = /^subgraphs\/([a-z]+)\/main\.ts$/.exec(String((service(name).command as string[] | undefined)?.at(-1) ?? ''));
      return entry ? [[entry[1], Number(environmentOf(name)[`${entry[1]!.toUpperCase()}_PORT`])]] : [];
    });
    expect(served).toEqual(REGISTRY.map((a) => [a.name, a.port]));
  });

  it('runs exactly two gateway replicas, published on different host ports', () => {
    const replicas = Object.entries(services).filter(([, s]) => JSON.stringify(s.command ?? '').includes('gateway/main.ts'));
    expect(replicas.map(([name]) => name).sort()).toEqual(['gateway-1', 'gateway-2']);
    const hostPorts = replicas.map(([, s]) => String(s.ports?.[0] ?? '').split(':')[0]);
    expect(new Set(hostPorts).size).toBe(2);
  });

  it('waits on every dependency until it is healthy (or, the migrations, finished), and every service waited on to be healthy has a healthcheck', () => {
    const edges = Object.entries(services).flatMap(([name, s]) => {
      const dependsOn = s.depends_on ?? {};
      expect(Array.isArray(dependsOn)).toBe(false);
      return Object.entries(dependsOn as Record<string, { condition?: string }>).map(([on, { condition }]) => ({ name, on, condition }));
    });
    // migrate on postgres; each subgraph on migrate; each gateway on redis and the subgraphs; the web app on a gateway.
    expect(edges.length).toBe(1 + subgraphs.length + gateways.length * (subgraphs.length + 1) + 1);
    expect(edges.filter((e) => e.condition !== (e.on === 'migrate' ? 'service_completed_successfully' : 'service_healthy'))).toEqual([]);
    expect(edges.filter((e) => e.condition === 'service_healthy' && !services[e.on]?.healthcheck?.test)).toEqual([]);
  });

  it('mounts the keys folder read-only into every service that reads a key', () => {
    const readers = Object.keys(services).filter((name) => Object.keys(environmentOf(name)).some((k) => /KEY_PATH|JWKS_PATH|SECRET_PATH/.test(k)));
    expect(readers.length).toBe(subgraphs.length + 3);
    for (const name of readers) expect(service(name).volumes).toContain('./deploy/keys:/run/keys:ro');
  });

  it("commits no password, not even a placeholder: each is a substitution compose refuses to run without, one per agency and the superuser's", () => {
    expect(composeText).toContain(PASSWORD);
    // Every password in a URL is a substitution: the superuser's for the postgres login, each agency's own for its serving login.
    const urlLogins = [...composeText.matchAll(/[a-z][a-z0-9+.-]*:\/\/([^\s:@/]+):([^\s@]*)@/gi)].map((m) => ({ login: m[1] ?? '', password: m[2] }));
    expect(urlLogins.length).toBe(subgraphs.length * 3);
    expect(urlLogins.filter(({ login, password }) => password !== (login === 'postgres' ? PASSWORD : servicePassword(login.replace(/_app$/, ''))))).toEqual([]);
    expect(new Set(urlLogins.map((u) => u.password)).size).toBe(subgraphs.length + 1);
    // Every variable that looks like a secret is the substitution.
    const secrets = Object.keys(services).flatMap((name) => Object.entries(environmentOf(name)).filter(([k]) => /PASSWORD|SECRET|TOKEN|KEY/i.test(k)));
    expect(secrets.length).toBeGreaterThan(0);
    // A key is never inline: only the path of a file in the read-only /run/keys mount.
    expect(secrets.filter(([k, v]) => v !== PASSWORD && !(k.endsWith('_PATH') && v.startsWith('/run/keys/')))).toEqual([]);
    // No other substitution with a default, nor a bare password literal.
    expect([...composeText.matchAll(/\$\{[^}]*\}/g)].map((m) => m[0]).filter((s) => s !== PASSWORD && !SERVICE_PASSWORDS.includes(s))).toEqual([]);
    expect(withoutPasswords(composeText).toLowerCase()).not.toMatch(/password[ \t]*[:=][ \t]*[^\s$#]/);
  });

  it('is built from a Dockerfile that installs tsx with the runtime dependencies', () => {
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim\b/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(packageJson.dependencies?.tsx).toBeDefined();
    expect(dockerfile).toMatch(/^USER node\s*$/m);
  });

  describe('postgres', () => {
    it('runs the postgres:16 image with the password from ${POSTGRES_PASSWORD:?…}', () => {
      expect(service('postgres').image).toBe('postgres:16');
      expect(service('postgres').build).toBeUndefined();
      expect(environmentOf('postgres').POSTGRES_PASSWORD).toBe(PASSWORD);
    });

    it('keeps its data on a named volume', () => {
      const volumes = (service('postgres').volumes ?? []).map(String);
      const data = volumes.find((v) => v.split(':')[1] === '/var/lib/postgresql/data');
      expect(data).toBeDefined();
      expect(Object.keys(compose.volumes ?? {})).toContain(data?.split(':')[0]);
    });

    it('runs deploy/postgres-init.sql on first start', () => {
      const volumes = (service('postgres').volumes ?? []).map(String);
      const init = volumes.find((v) => v.split(':')[1]?.startsWith('/docker-entrypoint-initdb.d/'));
      expect(init?.split(':')[0]).toBe('./deploy/postgres-init.sql');
      expect(existsSync(join(root, 'deploy/postgres-init.sql'))).toBe(true);
    });

    it("creates exactly one database per agency, to which (as to the server's own) no login may connect unless granted it", () => {
      expect(databasesCreatedByInitSql().sort()).toEqual(subgraphs.map(([a]) => a).sort());
      const revoked = [...initSql.matchAll(/REVOKE\s+CONNECT\s+ON\s+DATABASE\s+([a-z_0-9]+)\s+FROM\s+PUBLIC/gi)].map((m) => m[1]);
      expect(revoked.sort()).toEqual([...subgraphs.map(([a]) => a), 'postgres', 'template1'].sort());
    });

    it('is healthy when pg_isready -U postgres says so', () => {
      expect(service('postgres').healthcheck?.test).toEqual(['CMD', 'pg_isready', '-U', 'postgres']);
    });
  });

  describe('migrate', () => {
    it('runs tools/migrate.ts from this repository, a file that exists and is copied into the image', () => {
      expect(service('migrate').build).toBe('.');
      expect(service('migrate').command).toEqual(['npx', 'tsx', 'tools/migrate.ts']);
      expect(existsSync(join(root, 'tools/migrate.ts'))).toBe(true);
      expect(foldersCopiedIntoImage()).toEqual(expect.arrayContaining(['tools', 'dev']));
    });

    it("starts once postgres is healthy, and is the only service other than postgres to hold the superuser's password", () => {
      expect(service('migrate').depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
      expect(
        Object.keys(services)
          .filter((name) => JSON.stringify(services[name]).includes(PASSWORD))
          .sort(),
      ).toEqual(['migrate', 'postgres']);
    });

    it("migrates and seeds every agency's database as its owner, and names each subgraph's serving login; every variable it sets is read", () => {
      const environment = substitutedEnvironmentOf('migrate');
      const read = new Set<string>();
      for (const [agency] of subgraphs) {
        const prefix = agency.toUpperCase();
        const loaded = namesRead((env) => loadSubgraphConfig(agency, 1, env), environment);
        for (const name of loaded.read) read.add(name);
        expect(loaded.result.databaseUrl).toBe(`postgres://postgres:set-by-the-deployer@postgres:5432/${agency}`);
        expect(loaded.result.serviceDatabaseUrl).toBe(`postgres://${agency}_app:set-by-the-deployer@postgres:5432/${agency}`);
        expect(environment[`${prefix}_DATABASE_URL`]).toBeDefined();
      }
      expect(Object.keys(environment).filter((name) => !read.has(name))).toEqual([]);
      expect(environment.SEED_IF_EMPTY).toBe('true');
    });
  });

  describe('redis', () => {
    it('runs the redis:7 image', () => {
      expect(service('redis').image).toBe('redis:7');
      expect(service('redis').build).toBeUndefined();
    });

    it('is healthy when redis-cli ping answers', () => {
      expect(service('redis').healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
    });
  });

  describe.each(subgraphs)('the %s subgraph', (agency, port) => {
    const prefix = agency.toUpperCase();
    const entry = `subgraphs/${agency}/main.ts`;

    it('is built from this repository', () => {
      expect(service(agency).build).toBe('.');
      expect(service(agency).image).toBeUndefined();
      expect(existsSync(join(root, 'Dockerfile'))).toBe(true);
    });

    it(`runs ${entry}, a file that exists and is copied into the image`, () => {
      expect(service(agency).command).toEqual(serviceCommand(entry));
      expect(existsSync(join(root, entry))).toBe(true);
      expect(foldersCopiedIntoImage()).toContain(entry.split('/')[0]);
    });

    it(`listens on port ${port} on every interface and exposes it`, () => {
      const environment = environmentOf(agency);
      expect(environment[`${prefix}_PORT`]).toBe(String(port));
      expect(environment.HOST).toBe('0.0.0.0');
      expect((service(agency).expose ?? []).map(String)).toEqual([String(port)]);
    });

    it('checks its health on the port its environment sets', () => {
      expect(urlsIn(healthcheckScript(agency))).toEqual([`http://127.0.0.1:${environmentOf(agency)[`${prefix}_PORT`]}/health`]);
    });

    expectHealthcheckFollowsStatus(agency, () => environmentOf(agency)[`${prefix}_PORT`] ?? '');

    it(`serves its own database, ${agency}, which deploy/postgres-init.sql creates, through its own login, holding no superuser's password`, () => {
      const url = new URL(substitutedEnvironmentOf(agency)[`${prefix}_SERVICE_DATABASE_URL`] ?? '');
      expect(url.protocol).toBe('postgres:');
      expect(url.username).toBe(`${agency}_app`);
      expect(url.hostname).toBe('postgres');
      expect(url.port).toBe('5432');
      expect(url.pathname).toBe(`/${agency}`);
      expect(databasesCreatedByInitSql()).toContain(agency);
      expect(environmentOf(agency)[`${prefix}_SERVICE_DATABASE_URL`]).toContain(`:${servicePassword(agency)}@`);
      // No other agency's serving password, nor the superuser's.
      expect(SERVICE_PASSWORDS.filter((p) => p !== servicePassword(agency) && JSON.stringify(service(agency)).includes(p))).toEqual([]);
      expect(environmentOf(agency)[`${prefix}_DATABASE_URL`]).toBeUndefined();
      expect(JSON.stringify(service(agency))).not.toContain(PASSWORD);
    });

    it('is migrated and seeded by the migrate service, logs at info and runs in production', () => {
      const environment = environmentOf(agency);
      expect(environment.SEED_IF_EMPTY).toBeUndefined();
      expect(environment.LOG_LEVEL).toBe('info');
      expect(environment.NODE_ENV).toBe('production');
      // The serving login the migrate service makes a member of the service role is this one.
      expect(environmentOf('migrate')[`${prefix}_SERVICE_DATABASE_URL`]).toBe(environmentOf(agency)[`${prefix}_SERVICE_DATABASE_URL`]);
    });

    it('starts only once the migrations have finished', () => {
      expect(service(agency).depends_on).toEqual({ migrate: { condition: 'service_completed_successfully' } });
    });

    it('sets only variables loadSubgraphConfig reads, and they parse to its port and database', () => {
      const environment = substitutedEnvironmentOf(agency);
      // A default port of 1, so the parsed port can only be the one the environment sets.
      const { result, read } = namesRead((env) => loadSubgraphConfig(agency, 1, env), environment);
      expect(Object.keys(environment).filter((name) => !read.has(name))).toEqual([]);
      expect(result.port).toBe(port);
      expect(result.host).toBe('0.0.0.0');
      expect(result.databaseUrl).toBeUndefined();
      expect(result.serviceDatabaseUrl).toBe(`postgres://${agency}_app:set-by-the-deployer@postgres:5432/${agency}`);
      expect(result.seedIfEmpty).toBe(false);
      expect(result.development).toBe(false);
    });
  });

  describe.each(gateways)('the %s replica', (name, hostPort) => {
    it('is built from this repository', () => {
      expect(service(name).build).toBe('.');
      expect(service(name).image).toBeUndefined();
    });

    it('runs gateway/main.ts, a file that exists and is copied into the image', () => {
      expect(service(name).command).toEqual(serviceCommand('gateway/main.ts'));
      // The image's own command (run without compose) starts the gateway the same way.
      const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
      expect(cmd && JSON.parse(cmd)).toEqual(serviceCommand('gateway/main.ts'));
      expect(existsSync(join(root, 'gateway/main.ts'))).toBe(true);
      expect(foldersCopiedIntoImage()).toContain('gateway');
    });

    it(`listens on port 4000 on every interface, published on host port ${hostPort}`, () => {
      const environment = environmentOf(name);
      expect(environment.PORT).toBe('4000');
      expect(environment.HOST).toBe('0.0.0.0');
      expect((service(name).ports ?? []).map(String)).toEqual([`${hostPort}:4000`]);
    });

    it('checks its health on the port its environment sets', () => {
      expect(urlsIn(healthcheckScript(name))).toEqual([`http://127.0.0.1:${environmentOf(name).PORT}/health`]);
    });

    it('serves the supergraph the image composed at build time from the schema files', () => {
      expect(environmentOf(name).SUPERGRAPH_PATH).toBe('/app/supergraph.graphql');
      expect(readFileSync(join(root, 'Dockerfile'), 'utf8')).toMatch(/^RUN npx tsx gateway\/compose-cli\.ts --out \/app\/supergraph\.graphql$/m);
    });

    expectHealthcheckFollowsStatus(name, () => environmentOf(name).PORT ?? '');

    it.each(subgraphs)('finds the %s subgraph at its service and port (%d)', (agency, port) => {
      expect(environmentOf(name)[`${agency.toUpperCase()}_URL`]).toBe(`http://${agency}:${port}/graphql`);
      expect(environmentOf(agency)[`${agency.toUpperCase()}_PORT`]).toBe(String(port));
    });

    it('shares its state with the other replica through the redis service', () => {
      expect(environmentOf(name).REDIS_URL).toBe('redis://redis:6379');
      expect(service('redis').image).toBeDefined();
    });

    it('runs in production', () => {
      expect(environmentOf(name).NODE_ENV).toBe('production');
    });

    it('keeps its audit log on a named volume of its own, in a folder the image gives its user', () => {
      const mounts = (service(name).volumes ?? []).map(String).filter((v) => !v.startsWith('./'));
      expect(mounts).toEqual([`${name}-audit:/app/data`]);
      expect(Object.keys(compose.volumes ?? {})).toContain(`${name}-audit`);
      expect(environmentOf(name).GATEWAY_AUDIT_PATH).toBe('/app/data/gateway/audit.jsonl');
      expect(dockerfile).toMatch(/^RUN mkdir -p \/app\/data && chown node:node \/app\/data$/m);
    });

    it("starts only once redis and every agency's subgraph are healthy", () => {
      expect(service(name).depends_on).toEqual(Object.fromEntries(['redis', ...subgraphs.map(([a]) => a)].map((s) => [s, { condition: 'service_healthy' }])));
    });

    it('sets only variables loadGatewayConfig reads, and they parse to its subgraphs and Redis', () => {
      const environment = substitutedEnvironmentOf(name);
      const { result, read } = namesRead((env) => loadGatewayConfig(env), environment);
      expect(Object.keys(environment).filter((variable) => !read.has(variable))).toEqual([]);
      expect(result.port).toBe(4000);
      expect(result.host).toBe('0.0.0.0');
      expect(result.subgraphs).toEqual(subgraphs.map(([agency, port]) => ({ name: agency, url: `http://${agency}:${port}/graphql` })));
      expect(result.redisUrl).toBe('redis://redis:6379');
      expect(result.development).toBe(false);
    });
  });

  describe('the web app', () => {
    it('is built from this repository and runs web/main.ts, a file that exists and is copied into the image', () => {
      expect(service('web').build).toBe('.');
      expect(service('web').image).toBeUndefined();
      expect(service('web').command).toEqual(serviceCommand('web/main.ts'));
      expect(existsSync(join(root, 'web/main.ts'))).toBe(true);
      expect(foldersCopiedIntoImage()).toContain('web');
    });

    it('listens on port 3000 on every interface, published on host port 3000', () => {
      expect(environmentOf('web').WEB_PORT).toBe('3000');
      expect(environmentOf('web').WEB_HOST).toBe('0.0.0.0');
      expect((service('web').ports ?? []).map(String)).toEqual(['3000:3000']);
    });

    it('checks its health on the port its environment sets', () => {
      expect(urlsIn(healthcheckScript('web'))).toEqual([`http://127.0.0.1:${environmentOf('web').WEB_PORT}/health`]);
    });

    expectHealthcheckFollowsStatus('web', () => environmentOf('web').WEB_PORT ?? '');

    it('starts once the gateway it calls is healthy', () => {
      expect(service('web').depends_on).toEqual({ 'gateway-1': { condition: 'service_healthy' } });
    });

    it('is an ordinary client of the gateway: no database, no Redis, no gateway or subgraph key', () => {
      const text = JSON.stringify(service('web'));
      expect(text).not.toMatch(/postgres|redis|DATABASE|GATEWAY_SIGNING|JWKS/i);
      expect(SERVICE_PASSWORDS.filter((p) => text.includes(p))).toEqual([]);
    });

    it('sets only variables loadWebConfig reads, and they parse to an identity provider, the gateway and production', () => {
      const environment = substitutedEnvironmentOf('web');
      const { result, read } = namesRead((env) => loadWebConfig(env), environment);
      expect(Object.keys(environment).filter((name) => !read.has(name))).toEqual([]);
      expect(result.port).toBe(3000);
      expect(result.host).toBe('0.0.0.0');
      expect(result.gatewayUrl).toBe('http://gateway-1:4000/graphql');
      expect(result.signIn.mode).toBe('oidc');
      expect(result.development).toBe(false);
      expect(result.sessionSecretPath).toMatch(/^\/run\/keys\//);
      expect(service('web').volumes).toContain('./deploy/keys:/run/keys:ro');
    });
  });
});
