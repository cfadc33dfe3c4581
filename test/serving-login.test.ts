import { createHash, createHmac, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { demoPersona } from '../dev/personas';
import {
  appendAudit,
  auditWriterRole,
  CONTEXT_HEADER,
  createContextSigner,
  createKeyPair,
  createLogger,
  ensureServingLogin,
  loadSubgraphConfig,
  openAgencyDatabase,
  openServingDatabase,
  scramVerifier,
  startAgency,
  type Authority,
  type Database,
  type KeyPair,
  type SubgraphConfig,
} from '../shared';
import { identity, seedIdentity } from '../subgraphs/identity';
import { backends, createTestDatabase } from './start-federation';

/**
 * A subgraph given a login of its own (`<AGENCY>_SERVICE_DATABASE_URL`) serves
 * through it, and that login can read the system of record and append to the
 * audit log but change neither, nor become the owner; given that login alone,
 * the subgraph holds no owner's credentials and serves only a migrated database.
 */

describe("the serving login's configuration", () => {
  it('refuses to seed with a serving login alone, naming both variables', () => {
    expect(() =>
      loadSubgraphConfig('identity', 4001, { IDENTITY_SERVICE_DATABASE_URL: 'postgres://identity_app@127.0.0.1/identity', SEED_IF_EMPTY: 'true' }),
    ).toThrow(/SEED_IF_EMPTY=true needs IDENTITY_DATABASE_URL .*IDENTITY_SERVICE_DATABASE_URL alone/);
    expect(loadSubgraphConfig('identity', 4001, { IDENTITY_SERVICE_DATABASE_URL: 'postgres://identity_app@127.0.0.1/identity' }).serviceDatabaseUrl).toBe(
      'postgres://identity_app@127.0.0.1/identity',
    );
  });

  it("gives PostgreSQL a SCRAM-SHA-256 verifier, never the password: the verifier for RFC 7677's example answers its exchange", () => {
    // RFC 7677, section 3: user "user", password "pencil".
    const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
    const verifier = scramVerifier('pencil', salt, 4096);
    const [, iterationsAndSalt, keys] = verifier.split('$') as [string, string, string];
    expect(verifier.startsWith('SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$')).toBe(true);
    expect(iterationsAndSalt).toBe('4096:W22ZaJ0SNY7soEsUEjb6gQ==');
    const [storedKey, serverKey] = keys.split(':').map((k) => Buffer.from(k, 'base64')) as [Buffer, Buffer];
    const nonce = 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    const authMessage = `n=user,r=rOprNGfwEbeRWgbNEkqO,r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=${nonce}`;
    // The server's signature the RFC shows is the one this ServerKey makes.
    expect(createHmac('sha256', serverKey).update(authMessage).digest('base64')).toBe('6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
    // The client's proof the RFC shows is accepted against this StoredKey: ClientKey = proof XOR HMAC(StoredKey, AuthMessage), and its hash is StoredKey.
    const proof = Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64');
    const signature = createHmac('sha256', storedKey).update(authMessage).digest();
    const clientKey = Buffer.from(proof.map((byte, i) => byte ^ signature[i]!));
    expect(createHash('sha256').update(clientKey).digest().equals(storedKey)).toBe(true);
    expect(verifier).not.toContain('pencil');
  });

  it("names the variable when the serving login's URL is not a PostgreSQL URL", () => {
    expect(() => loadSubgraphConfig('health', 4002, { HEALTH_SERVICE_DATABASE_URL: 'mysql://x@127.0.0.1/health' })).toThrow(/HEALTH_SERVICE_DATABASE_URL/);
  });
});

// PostgreSQL only (the embedded database has one connection and no logins): run wherever the suite has PostgreSQL, as CI always does.
if (backends.includes('postgres'))
  describe('a subgraph serving through a login of its own, on postgres', () => {
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
      agency: 'identity',
      port: 0,
      host: '127.0.0.1',
      seedIfEmpty: false,
      seedChildren: 20,
      seed: 1,
      logLevel: 'silent',
      development: false,
      ...overrides,
    });
    const start = (c: SubgraphConfig, agency: typeof identity = identity) =>
      startAgency(agency, c, { seed: seedIdentity, logger: createLogger('test', 'silent'), gatewayKeys: keys.publicJwks });

    beforeAll(async () => {
      keys = await createKeyPair('gateway-login-test');
      ownerUrl = await createTestDatabase('login', cleanups);
    });
    afterAll(async () => {
      try {
        for (const cleanup of cleanups.splice(0)) await cleanup();
      } finally {
        // Roles belong to the server, not to the database: each one made here goes with it, whatever else failed.
        const admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
        await admin.connect();
        try {
          for (const login of logins.reverse()) await admin.query(`DROP ROLE IF EXISTS ${login}`).catch(() => undefined);
        } finally {
          await admin.end();
        }
      }
    });
    const databaseName = () => new URL(ownerUrl).pathname.slice(1);
    const asAdmin = async (sql: string) => {
      const admin = new Client({ connectionString: ownerUrl });
      await admin.connect();
      try {
        await admin.query(sql);
      } finally {
        await admin.end();
      }
    };
    /** The start refused with `pattern`; an agency that starts anyway is stopped before the test fails. */
    const expectRefused = async (c: SubgraphConfig, pattern: RegExp) => {
      const outcome = await start(c).then(
        async (running) => {
          await running.stop();
          return 'started';
        },
        (error: Error) => error.message,
      );
      expect(outcome).toMatch(pattern);
    };
    /** A serving login the owner has prepared, for a test to give more than it should have. */
    const preparedLogin = async () => {
      const login = newLogin();
      const serviceDatabaseUrl = loginUrl(login);
      await (await start(config({ databaseUrl: ownerUrl, serviceDatabaseUrl }))).stop();
      return { login, serviceDatabaseUrl };
    };

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
        const authority: Authority = { caller: demoPersona('sw.jones'), purpose: 'safeguarding', traceId: `login-${randomBytes(4).toString('hex')}` };
        const response = await fetch(running.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await sign(authority, 'identity') },
          body: JSON.stringify({
            query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Child { name { given family } } } }',
            variables: { r: [{ __typename: 'Child', nhsNumber: '9990000018' }] },
          }),
        });
        const body = (await response.json()) as { data?: { _entities: { name: { given: string } | null }[] }; errors?: unknown[] };
        expect(body.errors).toBeUndefined();
        expect(body.data?._entities[0]?.name?.given).toBe('Amelia');
        const owner = await openAgencyDatabase({ url: ownerUrl });
        try {
          expect(await owner.owner.query('SELECT caller_sub FROM service.audit_log WHERE entry LIKE $1', [`%${authority.traceId}%`])).toEqual([
            { caller_sub: 'sw.jones' },
          ]);
          expect(await owner.owner.query("SELECT pg_has_role($1, $2, 'MEMBER') AS member", [login, identity.serviceRole])).toEqual([{ member: true }]);
        } finally {
          await owner.close();
        }
      } finally {
        await running.stop();
        // Stopping again does nothing, and does not throw.
        await running.stop();
      }
    });

    it("cannot step out of the service role into anything that changes the audit log or the system of record; the owner's login switched to the role can", async () => {
      const login = newLogin();
      const serviceDatabaseUrl = loginUrl(login);
      await (await start(config({ databaseUrl: ownerUrl, serviceDatabaseUrl, seedIfEmpty: true }))).stop();
      const escapes = [
        "SET ROLE NONE; UPDATE service.audit_log SET caller_sub = 'someone else'",
        'SET ROLE NONE; DELETE FROM service.audit_log',
        "SET ROLE NONE; UPDATE records.patient SET given_name = 'X'",
      ];
      const served = openServingDatabase(serviceDatabaseUrl, identity.serviceRole);
      try {
        expect(await served.query('SELECT count(*)::int > 0 AS seeded FROM records.patient')).toEqual([{ seeded: true }]);
        for (const sql of escapes) await expect(served.exec(sql)).rejects.toThrow(/permission denied/);
        const [{ owner }] = (await served.query<{ owner: string }>(
          "SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = 'service.audit_log'::regclass",
        )) as [{ owner: string }];
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

    it("refuses, naming the variable, a login that is the owner's, a superuser's, not the service role's, or over a database not migrated", async () => {
      await expectRefused(
        config({ databaseUrl: ownerUrl, serviceDatabaseUrl: ownerUrl }),
        new RegExp(`${VARIABLE} names the login "postgres", which is the owner's own`),
      );
      // The server's superuser, given as the serving login alone.
      await expectRefused(
        config({ serviceDatabaseUrl: ownerUrl }),
        new RegExp(
          `${VARIABLE} names the login "postgres", which has powers of its own \\(postgres has BYPASSRLS, postgres has CREATEDB, postgres has CREATEROLE, postgres has REPLICATION, postgres has SUPERUSER\\)`,
        ),
      );
      // A login the owner never made a member of the service role (though it may connect).
      const stranger = newLogin();
      await asAdmin(`CREATE ROLE ${stranger} LOGIN; GRANT CONNECT ON DATABASE ${databaseName()} TO ${stranger}`);
      await expectRefused(
        config({ serviceDatabaseUrl: loginUrl(stranger) }),
        new RegExp(`${VARIABLE}: could not connect as the login, acting as the service role identity_service \\(permission denied to set role`),
      );
      // A password other than printable ASCII, which clients and the server might not read alike.
      await expectRefused(
        config({ databaseUrl: ownerUrl, serviceDatabaseUrl: loginUrl(newLogin(), 'p\u00e4ssword') }),
        new RegExp(`${VARIABLE}: the password must be printable ASCII characters`),
      );
      // A database one migration short: the subgraph names it and the command that applies it.
      const login = newLogin();
      const serviceDatabaseUrl = loginUrl(login);
      await (await start(config({ databaseUrl: ownerUrl, serviceDatabaseUrl }))).stop();
      const database = await openAgencyDatabase({ url: ownerUrl });
      try {
        await database.owner.query('DELETE FROM public.subgraph_migrations WHERE name = $1', ['kit:007_append_returns_head.sql']);
        await expectRefused(
          config({ serviceDatabaseUrl }),
          /identity's database lacks the migrations kit:007_append_returns_head.sql: run `npm run migrate` with IDENTITY_DATABASE_URL/,
        );
        await database.owner.query('INSERT INTO public.subgraph_migrations (name) VALUES ($1)', ['kit:007_append_returns_head.sql']);
      } finally {
        await database.close();
      }
    });

    const WRITES = 'may write the audit log other than through service.append_audit, or the system of record, or through a view';
    it.each(
      (
        [
          [
            'a superuser role it can become',
            (login: string, extra: string) => `CREATE ROLE ${extra} SUPERUSER NOLOGIN; GRANT ${extra} TO ${login}`,
            /can become "cvtest_x_[^"]*" besides the service role/,
          ],
          [
            'a role that may create roles',
            (login: string, extra: string) => `CREATE ROLE ${extra} CREATEROLE NOLOGIN; GRANT ${extra} TO ${login}`,
            /can become "cvtest_x_[^"]*" besides the service role/,
          ],
          ['pg_write_all_data', (login: string) => `GRANT pg_write_all_data TO ${login}`, /can become "pg_write_all_data" besides the service role/],
          [
            'the right to grant the service role',
            (login: string) => `GRANT identity_service TO ${login} WITH ADMIN OPTION`,
            /may grant the service role identity_service to others/,
          ],
          [
            'one column of the audit log to update',
            (login: string) => `GRANT UPDATE (caller_sub) ON service.audit_log TO ${login}`,
            new RegExp(`${WRITES} \\(cvtest_app_\\w+: service.audit_log\\)`),
          ],
          [
            'rows of its own to insert in the audit log',
            (login: string) => `GRANT INSERT ON service.audit_log TO ${login}`,
            new RegExp(`${WRITES} \\(cvtest_app_\\w+: service.audit_log\\)`),
          ],
          [
            'triggers on the audit log',
            (login: string) => `GRANT TRIGGER ON service.audit_log TO ${login}`,
            new RegExp(`${WRITES} \\(cvtest_app_\\w+: service.audit_log\\)`),
          ],
          [
            "triggers on the chain's head",
            (login: string) => `GRANT TRIGGER ON service.audit_head TO ${login}`,
            new RegExp(`${WRITES} \\(cvtest_app_\\w+: service.audit_head\\)`),
          ],
          [
            'a trigger on the system of record',
            (login: string) => `GRANT TRIGGER ON records.patient TO ${login}`,
            new RegExp(`${WRITES} \\(cvtest_app_\\w+: records.patient\\)`),
          ],
          [
            'a view over the audit log to delete through',
            (login: string, extra: string) => `CREATE VIEW service.${extra} AS SELECT * FROM service.audit_log; GRANT DELETE ON service.${extra} TO ${login}`,
            new RegExp(`${WRITES} \\(cvtest_app_\\w+: service.cvtest_x_\\w+\\)`),
            (_login: string, extra: string) => `DROP VIEW service.${extra}`,
          ],
          [
            'the function that hashes the chain',
            (login: string) => `ALTER FUNCTION service.audit_hash(text, timestamptz, text, text[], text) OWNER TO ${login}`,
            /owns objects \(cvtest_app_\w+ owns function service.audit_hash/,
            () => 'ALTER FUNCTION service.audit_hash(text, timestamptz, text, text[], text) OWNER TO postgres',
          ],
          [
            "the right to create objects beside the subgraph's",
            (login: string) => `GRANT CREATE ON SCHEMA service TO ${login}`,
            /may create objects \(cvtest_app_\w+: schema service\)/,
            (login: string) => `REVOKE CREATE ON SCHEMA service FROM ${login}`,
          ],
          [
            'the right to create schemas in the database',
            (login: string) => `GRANT CREATE ON DATABASE ${databaseName()} TO ${login}`,
            /may create objects \(cvtest_app_\w+: database cvtest_login_\w+\)/,
            (login: string) => `REVOKE CREATE ON DATABASE ${databaseName()} FROM ${login}`,
          ],
          [
            'a view in public over the audit log to insert through',
            (login: string, extra: string) => `CREATE VIEW public.${extra} AS SELECT * FROM service.audit_log; GRANT INSERT ON public.${extra} TO ${login}`,
            new RegExp(`${WRITES} \\(cvtest_app_\\w+: (public\\.)?cvtest_x_\\w+\\)`),
            (_login: string, extra: string) => `DROP VIEW public.${extra}`,
          ],
          [
            'a table that inherits from the audit log',
            (login: string, extra: string) => `CREATE TABLE service.${extra} () INHERITS (service.audit_log); GRANT INSERT ON service.${extra} TO ${login}`,
            new RegExp(`${WRITES} \\(cvtest_app_\\w+: service.cvtest_x_\\w+\\)`),
            (_login: string, extra: string) => `DROP TABLE service.${extra}`,
          ],
          [
            "a function that runs with its owner's rights",
            (_login: string, extra: string) => `CREATE FUNCTION public.${extra}() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1'`,
            /may call functions that run with their owner's rights \(cvtest_app_\w+: function (public\.)?cvtest_x_\w+\(\)/,
            (_login: string, extra: string) => `DROP FUNCTION public.${extra}()`,
          ],
          [
            'rights on tables made later',
            (login: string) => `ALTER DEFAULT PRIVILEGES IN SCHEMA service GRANT INSERT ON TABLES TO ${login}`,
            /would be given rights on tables made later \(cvtest_app_\w+ INSERT on tables made in service\)/,
            (login: string) => `ALTER DEFAULT PRIVILEGES IN SCHEMA service REVOKE INSERT ON TABLES FROM ${login}`,
          ],
          [
            'a trigger on a table it writes',
            (_login: string, extra: string) =>
              `CREATE FUNCTION service.${extra}() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'; CREATE TRIGGER ${extra} BEFORE INSERT ON service.access_alert FOR EACH ROW EXECUTE FUNCTION service.${extra}()`,
            /writes where triggers or rules run with their owner's rights \(cvtest_x_\w+ on service.access_alert\)/,
            (_login: string, extra: string) => `DROP TRIGGER ${extra} ON service.access_alert; DROP FUNCTION service.${extra}()`,
          ],
          [
            'the right to create functions in public, where one could shadow a built-in',
            (login: string) => `GRANT CREATE ON SCHEMA public TO ${login}`,
            /may create objects \(cvtest_app_\w+: schema public\)/,
            (login: string) => `REVOKE CREATE ON SCHEMA public FROM ${login}`,
          ],
        ] as [string, (login: string, extra: string) => string, RegExp, ((login: string, extra: string) => string)?][]
      ).map(([what, grant, pattern, undo]) => [what, grant, pattern, undo ?? null] as const),
    )('refuses to serve through a login given %s', async (_what, grant, pattern, undo) => {
      const { login, serviceDatabaseUrl } = await preparedLogin();
      const extra = newLogin().replace('cvtest_app_', 'cvtest_x_');
      logins.push(extra);
      await asAdmin(grant(login, extra));
      try {
        await expectRefused(config({ serviceDatabaseUrl }), new RegExp(`${VARIABLE} names the login "${login}", which .*${pattern.source}`));
      } finally {
        if (undo) await asAdmin(undo(login, extra));
      }
    });

    const APPEND = 'service.append_audit(text[], text[], text[])';
    const GRANTED = 'has been granted more than adding rows to the log and moving its head';
    it.each([
      ['the migrating superuser', () => `ALTER FUNCTION ${APPEND} OWNER TO CURRENT_USER`, /its owner "[^"]+", which is a superuser/, false],
      [
        "a writer that may also delete the log's rows",
        (w: string) => `GRANT DELETE ON service.audit_log TO ${w}`,
        new RegExp(`its owner "[^"]+", which ${GRANTED} \\(DELETE on table service.audit_log\\)`),
        false,
      ],
      [
        'a writer that may read the log',
        (w: string) => `GRANT SELECT ON service.audit_log TO ${w}`,
        new RegExp(`its owner "[^"]+", which ${GRANTED} \\(SELECT on table service.audit_log\\)`),
        false,
      ],
      [
        'a writer that may add a head of its own',
        (w: string) => `GRANT INSERT ON service.audit_head TO ${w}`,
        new RegExp(`its owner "[^"]+", which ${GRANTED} \\(INSERT on table service.audit_head\\)`),
        false,
      ],
      [
        'a writer that may read a column of the records',
        (w: string) => `GRANT SELECT (nhs_number) ON records.patient TO ${w}`,
        new RegExp(`its owner "[^"]+", which ${GRANTED} \\(rights on column nhs_number of table records.patient\\)`),
        false,
      ],
      [
        'a writer that may use a sequence',
        (w: string) => `CREATE SEQUENCE IF NOT EXISTS service.cvtest_sequence; GRANT USAGE ON SEQUENCE service.cvtest_sequence TO ${w}`,
        new RegExp(`its owner "[^"]+", which ${GRANTED} \\(USAGE on sequence service.cvtest_sequence\\)`),
        false,
      ],
      [
        'a writer that may create objects',
        (w: string) => `GRANT CREATE ON SCHEMA service TO ${w}`,
        new RegExp(`its owner "[^"]+", which ${GRANTED} \\(CREATE on schema service\\)`),
        false,
      ],
      // A role of its own: memberships belong to the server, and another test's database may be using identity's writer.
      [
        'a writer that can become another role',
        (w: string) => `GRANT pg_write_all_data TO ${w}`,
        /its owner "[^"]+", which can become "pg_write_all_data"/,
        true,
      ],
    ] as [string, (writer: string) => string, RegExp, boolean][])(
      'refuses to serve while the audit append runs as %s, until the owner migrates again',
      async (_what, grant, pattern, ownRole) => {
        const agency = ownRole ? { ...identity, serviceRole: newLogin().replace('cvtest_app_', 'cvtest_svc_') } : identity;
        if (ownRole) logins.push(agency.serviceRole, auditWriterRole(agency.serviceRole));
        const serviceDatabaseUrl = loginUrl(newLogin());
        const migrateAgain = async () => (await start(config({ databaseUrl: ownerUrl, serviceDatabaseUrl }), agency)).stop();
        await migrateAgain();
        await asAdmin(grant(auditWriterRole(agency.serviceRole)));
        try {
          const outcome = await start(config({ serviceDatabaseUrl }), agency).then(
            async (running) => {
              await running.stop();
              return 'started';
            },
            (error: Error) => error.message,
          );
          expect(outcome).toMatch(
            new RegExp(`service.append_audit runs with the rights of ${pattern.source}: run \`npm run migrate\` with IDENTITY_DATABASE_URL`),
          );
        } finally {
          // The owner's start, as \`npm run migrate\`, gives the function back to the writer and takes from it what it was given.
          await migrateAgain();
        }
        await (await start(config({ serviceDatabaseUrl }), agency)).stop();
      },
    );

    it("serves while the audit writer may read what everyone may: PUBLIC's rights are the login's to answer for", async () => {
      const { serviceDatabaseUrl } = await preparedLogin();
      await asAdmin('CREATE TABLE IF NOT EXISTS public.cvtest_everyones (id int); GRANT SELECT ON public.cvtest_everyones TO PUBLIC');
      try {
        await (await start(config({ serviceDatabaseUrl }))).stop();
      } finally {
        await asAdmin('DROP TABLE public.cvtest_everyones');
      }
    });

    it('gives the append to the writer when the owner is not a superuser, and the owner keeps its hold on it', async () => {
      // An owner as a deployment without the server's superuser would have: it owns the database and may create roles.
      const owner = newLogin().replace('cvtest_app_', 'cvtest_own_');
      const role = newLogin().replace('cvtest_app_', 'cvtest_svc_');
      logins.push(owner, role, auditWriterRole(role));
      const agency = { ...identity, serviceRole: role };
      const name = `${owner.replace('cvtest_own_', 'cvtest_owned_')}`;
      const server = new Client({ connectionString: process.env.TEST_DATABASE_URL });
      await server.connect();
      try {
        await server.query(`CREATE ROLE ${owner} LOGIN CREATEROLE`);
        await server.query(`CREATE DATABASE ${name} OWNER ${owner}`);
      } finally {
        await server.end();
      }
      cleanups.push(async () => {
        const c = new Client({ connectionString: process.env.TEST_DATABASE_URL });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => c.end());
      });
      const ownersUrl = new URL(process.env.TEST_DATABASE_URL!);
      ownersUrl.username = owner;
      ownersUrl.pathname = `/${name}`;
      const servingUrl = new URL(ownersUrl);
      servingUrl.username = newLogin();
      await (await start(config({ databaseUrl: ownersUrl.toString(), serviceDatabaseUrl: servingUrl.toString(), seedIfEmpty: true }), agency)).stop();
      // Served through the login alone: the append runs as the writer, which passes the check.
      await (await start(config({ serviceDatabaseUrl: servingUrl.toString() }), agency)).stop();
      const database = await openAgencyDatabase({ url: ownersUrl.toString() });
      try {
        expect(
          await database.owner.query(
            "SELECT pg_get_userbyid(proowner)::text AS owner FROM pg_proc WHERE oid = 'service.append_audit(text[], text[], text[])'::regprocedure",
          ),
        ).toEqual([{ owner: auditWriterRole(role) }]);
        // The owner still appends its own records to the chain (a purge does), and may change the function, through the writer.
        expect(await appendAudit(database.owner, [{ kind: 'test' }])).toMatchObject({ seq: expect.any(Number) });
        await database.owner.exec("COMMENT ON FUNCTION service.append_audit(text[], text[], text[]) IS 'appends to the chain'");
      } finally {
        await database.close();
      }
    });

    it('refuses to serve through a service role that has a power of its own, which its login can use', async () => {
      // A service role of its own, so that no other test meets the power given to it.
      const role = newLogin().replace('cvtest_app_', 'cvtest_svc_');
      logins.push(role, `${role}_audit_writer`);
      const agency = { ...identity, serviceRole: role };
      const login = newLogin();
      const serviceDatabaseUrl = loginUrl(login);
      await (await start(config({ databaseUrl: ownerUrl, serviceDatabaseUrl }), agency)).stop();
      await asAdmin(`ALTER ROLE ${role} CREATEROLE`);
      const outcome = await start(config({ serviceDatabaseUrl }), agency).then(
        async (running) => {
          await running.stop();
          return 'started';
        },
        (error: Error) => error.message,
      );
      expect(outcome).toMatch(new RegExp(`${VARIABLE} names the login "${login}", which has powers of its own \\(${role} has CREATEROLE\\)`));
    });

    it("sends PostgreSQL the password's SCRAM verifier, never the password", async () => {
      const login = newLogin();
      const database = await openAgencyDatabase({ url: ownerUrl });
      try {
        const sent: string[] = [];
        const watched: Database = {
          ...database.owner,
          query: (sql, params, options) => (sent.push(`${sql} ${JSON.stringify(params ?? [])}`), database.owner.query(sql, params, options)),
          exec: (sql) => (sent.push(sql), database.owner.exec(sql)),
        };
        await ensureServingLogin(watched, identity.serviceRole, loginUrl(login, 'never-sent-as-it-is'), VARIABLE);
        expect(sent.length).toBeGreaterThan(3);
        expect(sent.join('\n')).not.toContain('never-sent-as-it-is');
        const [stored] = await database.owner.query<{ rolpassword: string }>('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [login]);
        expect(stored?.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
      } finally {
        await database.close();
      }
    });

    it('refuses, before changing anything about it, an existing login that can become another role', async () => {
      const login = newLogin();
      const other = newLogin().replace('cvtest_app_', 'cvtest_x_');
      logins.push(other);
      await asAdmin(`CREATE ROLE ${other} NOLOGIN; CREATE ROLE ${login} LOGIN PASSWORD 'kept-as-it-was'; GRANT ${other} TO ${login}`);
      const stored = async () => {
        const admin = new Client({ connectionString: ownerUrl });
        await admin.connect();
        try {
          return (
            await admin.query("SELECT rolpassword, pg_has_role(rolname, $2, 'MEMBER') AS member FROM pg_authid WHERE rolname = $1", [
              login,
              identity.serviceRole,
            ])
          ).rows[0];
        } finally {
          await admin.end();
        }
      };
      const before = await stored();
      await expectRefused(
        config({ databaseUrl: ownerUrl, serviceDatabaseUrl: loginUrl(login, 'a-new-password') }),
        new RegExp(`${VARIABLE} names the login "${login}", which can become "${other}"`),
      );
      expect(await stored()).toEqual(before);
      expect(before.member).toBe(false);
    });
  });
