import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { personas } from '../dev/personas';
import {
  CONTEXT_HEADER, createContextSigner, createKeyPair, createLogger, loadSubgraphConfig, openAgencyDatabase, openServingDatabase, startAgency, type Authority, type KeyPair, type SubgraphConfig,
} from '../shared';
import { identity, seedIdentity } from '../subgraphs/identity';
import { backends, createTestDatabase } from './start-federation';

/**
 * A subgraph given a login of its own (`<AGENCY>_SERVICE_DATABASE_URL`) serves
 * through it, and that login can read the system of record and append to the
 * audit log but change neither, nor become the owner; given that login alone,
 * the subgraph holds no owner's credentials and serves only a migrated database.
 */

describe('the serving login\'s configuration', () => {
  it('refuses to seed with a serving login alone, naming both variables', () => {
    expect(() => loadSubgraphConfig('identity', 4001, { IDENTITY_SERVICE_DATABASE_URL: 'postgres://identity_app@127.0.0.1/identity', SEED_IF_EMPTY: 'true' }))
      .toThrow(/SEED_IF_EMPTY=true needs IDENTITY_DATABASE_URL .*IDENTITY_SERVICE_DATABASE_URL alone/);
    expect(loadSubgraphConfig('identity', 4001, { IDENTITY_SERVICE_DATABASE_URL: 'postgres://identity_app@127.0.0.1/identity' }).serviceDatabaseUrl)
      .toBe('postgres://identity_app@127.0.0.1/identity');
  });

  it('names the variable when the serving login\'s URL is not a PostgreSQL URL', () => {
    expect(() => loadSubgraphConfig('health', 4002, { HEALTH_SERVICE_DATABASE_URL: 'mysql://x@127.0.0.1/health' })).toThrow(/HEALTH_SERVICE_DATABASE_URL/);
  });
});

// PostgreSQL only (the embedded database has one connection and no logins): run wherever the suite has PostgreSQL, as CI always does.
if (backends.includes('postgres')) describe('a subgraph serving through a login of its own, on postgres', () => {
  const cleanups: (() => Promise<void>)[] = [];
  const logins: string[] = [];
  let ownerUrl: string;
  let keys: KeyPair;
  const VARIABLE = 'IDENTITY_SERVICE_DATABASE_URL';
  const loginUrl = (login: string, password?: string) => {
    const url = new URL(ownerUrl);
    url.username = login;
    url.password = password ?? '';
    return url.toString();
  };
  const newLogin = () => {
    const login = `cvtest_app_${process.pid}_${randomBytes(3).toString('hex')}`;
    logins.push(login);
    return login;
  };
  const config = (overrides: Partial<SubgraphConfig>): SubgraphConfig => ({
    agency: 'identity', port: 0, host: '127.0.0.1', seedIfEmpty: false, seedChildren: 20, seed: 1, logLevel: 'silent', development: false, ...overrides,
  });
  const start = (c: SubgraphConfig) => startAgency(identity, c, { seed: seedIdentity, logger: createLogger('test', 'silent'), gatewayKeys: keys.publicJwks });

  beforeAll(async () => {
    keys = await createKeyPair('gateway-login-test');
    ownerUrl = await createTestDatabase('login', cleanups);
  });
  afterAll(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    // Logins belong to the server, not to the database: each one made here goes with it.
    const admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    try {
      for (const login of logins) await admin.query(`DROP ROLE IF EXISTS ${login}`);
    } finally {
      await admin.end();
    }
  });

  it('is made a member of the service role by the owner, serves through it, and records the disclosure', async () => {
    const login = newLogin();
    const serviceDatabaseUrl = loginUrl(login, 'not-a-real-secret');
    // First start: the owner migrates, seeds, and creates the login; the subgraph serves through it.
    const first = await start(config({ databaseUrl: ownerUrl, serviceDatabaseUrl, seedIfEmpty: true }));
    await first.stop();
    // Second start: the serving login alone; the owner's credentials are not in the process.
    const running = await start(config({ serviceDatabaseUrl }));
    try {
      expect(running.database).toBeNull();
      const sign = createContextSigner({ privateJwk: keys.privateJwk });
      const authority: Authority = { caller: personas['sw.jones'] as unknown as Authority['caller'], purpose: 'safeguarding', traceId: `login-${randomBytes(4).toString('hex')}` };
      const response = await fetch(running.url, {
        method: 'POST', headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await sign(authority, 'identity') },
        body: JSON.stringify({ query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Child { name { given family } } } }', variables: { r: [{ __typename: 'Child', nhsNumber: '9990000018' }] } }),
      });
      const body = (await response.json()) as { data?: { _entities: { name: { given: string } | null }[] }; errors?: unknown[] };
      expect(body.errors).toBeUndefined();
      expect(body.data?._entities[0]?.name?.given).toBe('Amelia');
      const owner = await openAgencyDatabase({ url: ownerUrl });
      try {
        expect(await owner.owner.query('SELECT caller_sub FROM service.audit_log WHERE entry LIKE $1', [`%${authority.traceId}%`])).toEqual([{ caller_sub: 'sw.jones' }]);
        expect(await owner.owner.query('SELECT pg_has_role($1, $2, \'MEMBER\') AS member', [login, identity.serviceRole])).toEqual([{ member: true }]);
      } finally {
        await owner.close();
      }
    } finally {
      await running.stop();
    }
  });

  it('cannot step out of the service role into anything that changes the audit log or the system of record; the owner\'s login switched to the role can', async () => {
    const login = newLogin();
    const serviceDatabaseUrl = loginUrl(login);
    await (await start(config({ databaseUrl: ownerUrl, serviceDatabaseUrl, seedIfEmpty: true }))).stop();
    const escapes = [
      'SET ROLE NONE; UPDATE service.audit_log SET caller_sub = \'someone else\'',
      'SET ROLE NONE; DELETE FROM service.audit_log',
      'SET ROLE NONE; UPDATE records.patient SET given_name = \'X\'',
    ];
    const served = openServingDatabase(serviceDatabaseUrl, identity.serviceRole);
    try {
      expect(await served.query('SELECT count(*)::int > 0 AS seeded FROM records.patient')).toEqual([{ seeded: true }]);
      for (const sql of escapes) await expect(served.exec(sql)).rejects.toThrow(/permission denied/);
      const [{ owner }] = await served.query<{ owner: string }>('SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = \'service.audit_log\'::regclass') as [{ owner: string }];
      await expect(served.exec(`SET ROLE ${owner}`)).rejects.toThrow(/permission denied/);
    } finally {
      await served.close();
    }
    // What the serving login closes: through the owner's login, the same statements go through.
    const database = await openAgencyDatabase({ url: ownerUrl });
    try {
      const switched = await database.asRole(identity.serviceRole);
      await switched.exec(`BEGIN; ${escapes[0]}; ROLLBACK`);
    } finally {
      await database.close();
    }
  });

  it('refuses, naming the variable, a login that is the owner\'s, a superuser\'s, not the service role\'s, or over a database not migrated', async () => {
    await expect(start(config({ databaseUrl: ownerUrl, serviceDatabaseUrl: ownerUrl }))).rejects.toThrow(new RegExp(`${VARIABLE} names the login "postgres", which is the owner's own`));
    // The server's superuser, given as the serving login alone.
    await expect(start(config({ serviceDatabaseUrl: ownerUrl }))).rejects.toThrow(new RegExp(`${VARIABLE} names the login "postgres", which is a superuser`));
    // A login the owner never made a member of the service role.
    const stranger = newLogin();
    const admin = new Client({ connectionString: ownerUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${stranger} LOGIN`);
    } finally {
      await admin.end();
    }
    await expect(start(config({ serviceDatabaseUrl: loginUrl(stranger) }))).rejects.toThrow(new RegExp(`${VARIABLE}: could not check what the login may do \\(permission denied to set role`));
    // A database one migration short: the subgraph names it and the command that applies it.
    const login = newLogin();
    const serviceDatabaseUrl = loginUrl(login);
    await (await start(config({ databaseUrl: ownerUrl, serviceDatabaseUrl }))).stop();
    const database = await openAgencyDatabase({ url: ownerUrl });
    try {
      await database.owner.query('DELETE FROM public.subgraph_migrations WHERE name = $1', ['kit:007_append_returns_head.sql']);
      await expect(start(config({ serviceDatabaseUrl }))).rejects.toThrow(/identity's database lacks the migrations kit:007_append_returns_head.sql: run `npm run migrate` with IDENTITY_DATABASE_URL/);
      await database.owner.query('INSERT INTO public.subgraph_migrations (name) VALUES ($1)', ['kit:007_append_returns_head.sql']);
    } finally {
      await database.close();
    }
  });
});
