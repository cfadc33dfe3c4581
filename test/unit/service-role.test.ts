import { readdirSync } from 'node:fs';
import { ensureServiceRole, migrate, openAgencyDatabase } from '../../shared';
import { identity } from '../../subgraphs/identity';
import { backends, createTestDatabase } from '../start-federation';


describe.each(backends)('the subgraph\'s service role on %s', (backend) => {
  let url: string | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    if (backend === 'postgres') url = await createTestDatabase('role', cleanups);
  });
  afterAll(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('reads the system of record, cannot change it, and writes rows in its own schema\'s tables but creates nothing', async () => {
    const database = await openAgencyDatabase({ url });
    try {
      await migrate(database.owner, identity.migrationsDir);
      // The subgraph's own tables are made by the owner's migrations.
      await database.owner.exec('CREATE SCHEMA IF NOT EXISTS service; CREATE TABLE IF NOT EXISTS service.note (id int)');
      await ensureServiceRole(database.owner, identity.serviceRole);
      await database.owner.query("INSERT INTO records.patient (nhs_number, given_name, family_name, date_of_birth, gender_code) VALUES ('9990000018', 'A', 'B', '2019-01-01', 2)");
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

  it('applies each migration once', async () => {
    const database = await openAgencyDatabase({ url });
    try {
      await migrate(database.owner, identity.migrationsDir);
      expect(await migrate(database.owner, identity.migrationsDir)).toEqual([]);
      const files = readdirSync(identity.migrationsDir).filter((f) => f.endsWith('.sql')).sort();
      expect(files.length).toBeGreaterThan(1);
      expect(await database.owner.query('SELECT name FROM public.subgraph_migrations ORDER BY name')).toEqual(files.map((name) => ({ name })));
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
