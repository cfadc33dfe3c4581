import { readdirSync } from 'node:fs';
import { appendAudit, AUDIT_MIGRATIONS_DIR, auditWriterRole, ensureServiceRole, migrateAgency, openAgencyDatabase, verifyAuditChain } from '../../shared';
import { identity } from '../../subgraphs/identity';
import { backends, createTestDatabase } from '../start-federation';

describe.each(backends)("the subgraph's service role on %s", (backend) => {
  let url: string | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    if (backend === 'postgres') url = await createTestDatabase('role', cleanups);
  });
  afterAll(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it("reads the system of record, cannot change it, and writes rows in its own schema's tables but creates nothing", async () => {
    const database = await openAgencyDatabase({ url });
    try {
      await migrateAgency(database.owner, identity);
      // The subgraph's own tables are made by the owner's migrations.
      await database.owner.exec('CREATE SCHEMA IF NOT EXISTS service; CREATE TABLE IF NOT EXISTS service.note (id int)');
      await ensureServiceRole(database.owner, identity.serviceRole);
      await database.owner.query(
        "INSERT INTO records.patient (nhs_number, given_name, family_name, date_of_birth, gender_code) VALUES ('9990000018', 'A', 'B', '2019-01-01', 2)",
      );
      const served = await database.asRole(identity.serviceRole);
      expect(await served.query('SELECT nhs_number FROM records.patient')).toEqual([{ nhs_number: '9990000018' }]);
      await expect(served.query("UPDATE records.patient SET given_name = 'X'")).rejects.toThrow(/permission denied/);
      await expect(served.query('DELETE FROM records.patient')).rejects.toThrow(/permission denied/);
      await expect(served.exec('CREATE TABLE service.made_by_the_role (id int)')).rejects.toThrow(/permission denied/);
      await expect(served.exec('CREATE TABLE records.made_by_the_role (id int)')).rejects.toThrow(/permission denied/);
      await served.query('INSERT INTO service.note VALUES (1)');
      expect(await served.query('SELECT id FROM service.note')).toEqual([{ id: 1 }]);
    } finally {
      await database.close();
    }
  });

  it('has the audit append run as a role that may only add rows to the log and move its head', async () => {
    // A database of its own: the audit kit's migrations are not the identity subgraph's, which the next test counts.
    const database = await openAgencyDatabase({ url: backend === 'postgres' ? await createTestDatabase('writer', cleanups) : undefined });
    try {
      await migrateAgency(database.owner, identity);
      // Twice: the second finds everything in place.
      await ensureServiceRole(database.owner, identity.serviceRole);
      await ensureServiceRole(database.owner, identity.serviceRole);
      const writer = auditWriterRole(identity.serviceRole);
      const may = async (privilege: string, on: string) =>
        (await database.owner.query<{ ok: boolean }>('SELECT has_table_privilege($1, $2::regclass, $3) AS ok', [writer, on, privilege]))[0]!.ok;
      expect(
        await database.owner
          .query(`SELECT pg_get_userbyid(p.proowner)::text AS owner, p.prosecdef AS definer, r.rolsuper AS super, r.rolcanlogin AS login, r.rolcreaterole AS createrole
        FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner WHERE p.oid = 'service.append_audit(text[], text[], text[])'::regprocedure`),
      ).toEqual([{ owner: writer, definer: true, super: false, login: false, createrole: false }]);
      expect({
        logInsert: await may('INSERT', 'service.audit_log'),
        logUpdate: await may('UPDATE', 'service.audit_log'),
        logDelete: await may('DELETE', 'service.audit_log'),
        logTruncate: await may('TRUNCATE', 'service.audit_log'),
        headSelect: await may('SELECT', 'service.audit_head'),
        headUpdate: await may('UPDATE', 'service.audit_head'),
        headInsert: await may('INSERT', 'service.audit_head'),
        headDelete: await may('DELETE', 'service.audit_head'),
        records: await may('SELECT', 'records.patient'),
        recordsWrite: await may('UPDATE', 'records.patient'),
      }).toEqual({
        logInsert: true,
        logUpdate: false,
        logDelete: false,
        logTruncate: false,
        headSelect: true,
        headUpdate: true,
        headInsert: false,
        headDelete: false,
        records: false,
        recordsWrite: false,
      });
      expect(
        await database.owner.query(
          "SELECT has_schema_privilege($1, 'service', 'CREATE') AS service, has_schema_privilege($1, 'records', 'CREATE') AS records",
          [writer],
        ),
      ).toEqual([{ service: false, records: false }]);
      // The service role appends through it, and the chain links.
      const served = await database.asRole(identity.serviceRole);
      const entry = {
        traceId: 'writer',
        caller: { sub: 'sw.jones', name: 'Sam Jones', roles: ['social-worker'], org: 'NS001', orgType: 'local-authority' },
        purpose: 'safeguarding',
        breakGlass: null,
        operation: { type: 'query' as const, name: null },
        children: [{ nhsNumber: '9990000018', localReference: null, disclosed: ['name.given'], denied: [] }],
        basis: { policies: ['identity:demographics'], lawfulBasis: 'safeguarding' },
      };
      expect(await appendAudit(served, [entry])).toMatchObject({ seq: 1 });
      expect(await appendAudit(served, [entry])).toMatchObject({ seq: 2 });
      expect(await verifyAuditChain(served)).toEqual({ rows: 2, broken: null });
    } finally {
      await database.close();
    }
  });

  it('applies each migration once', async () => {
    const database = await openAgencyDatabase({ url });
    try {
      await migrateAgency(database.owner, identity);
      expect(await migrateAgency(database.owner, identity)).toEqual([]);
      const sqlFiles = (dir: string, namespace?: string) =>
        readdirSync(dir)
          .filter((f) => f.endsWith('.sql'))
          .sort()
          .map((f) => (namespace ? `${namespace}:${f}` : f));
      const files = [
        ...identity.kitMigrations.flatMap((k) => sqlFiles(k.dir, k.namespace)),
        ...sqlFiles(identity.migrationsDir),
        ...sqlFiles(AUDIT_MIGRATIONS_DIR, 'kit'),
      ];
      expect(files.length).toBeGreaterThan(1);
      expect(await database.owner.query('SELECT name FROM public.subgraph_migrations ORDER BY name')).toEqual([...files].sort().map((name) => ({ name })));
    } finally {
      await database.close();
    }
  });

  it('runs a statement to be prepared with its parameters each time, and PostgreSQL keeps it prepared on the connection', async () => {
    const database = await openAgencyDatabase({ url });
    try {
      const sql = 'SELECT $1::int + 1 AS n';
      expect(await database.owner.query(sql, [1], { prepare: true })).toEqual([{ n: 2 }]);
      expect(await database.owner.query(sql, [41], { prepare: true })).toEqual([{ n: 42 }]);
      if (backend === 'postgres') {
        // The owner's connection is a single session: what it prepared is still there.
        expect(await database.owner.query('SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1', [sql])).toEqual([{ n: 1 }]);
      }
    } finally {
      await database.close();
    }
  });
});
