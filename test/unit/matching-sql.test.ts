import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  addressKey,
  BLOCKING_MIGRATIONS,
  migrate,
  migrateAgency,
  nameKey,
  normalisePostcode,
  openAgencyDatabase,
  postcodeSector,
  type AgencyDatabase,
} from '../../shared';

const migration = (agency: string, file: string) => readFileSync(join(__dirname, '..', '..', 'subgraphs', agency, 'migrations', file), 'utf8');

describe("the blocking keys the agencies' SQL computes", () => {
  let database: AgencyDatabase;
  beforeAll(async () => {
    database = await openAgencyDatabase({});
    await migrate(database.owner, BLOCKING_MIGRATIONS.dir, BLOCKING_MIGRATIONS.namespace);
  });
  afterAll(() => database?.close());

  it('are defined once, by the subgraph kit, and only indexed by the agencies that block on them', () => {
    for (const [agency, file] of [
      ['identity', '006_blocking_keys.sql'],
      ['housing', '003_blocking_keys.sql'],
    ] as const) {
      expect(migration(agency, file)).not.toMatch(/CREATE (OR REPLACE )?FUNCTION/i);
      expect(migration(agency, file)).toMatch(/CREATE INDEX \w+ ON records\.\w+ \(service\.match_name_key\(/);
    }
  });

  it('equal the keys the evaluation blocks on, for any name, address line and postcode', async () => {
    const text = fc.stringMatching(/^[A-Za-z0-9 ,.'\-éÖ]{0,24}$/);
    const samples = fc.sample(fc.tuple(text, text, fc.stringMatching(/^[A-Za-z0-9 ]{0,9}$/)), { numRuns: 300, seed: 18 });
    samples.push(["O'Neil-Smith", 'Flat 2, 14 Mill Lane', 'ns1 6rd'], ['Ashcroft', '27 Church Street', 'NS16RD'], ['', '', '']);
    const rows = await database.owner.query<{ n: string | null; a: string | null; p: string | null; s: string | null }>(
      `SELECT service.match_name_key(n) AS n, service.match_address_key(a) AS a, service.match_postcode(p) AS p, service.match_sector(p) AS s
         FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(n, a, p, i) ORDER BY i`,
      [samples.map((s) => s[0]), samples.map((s) => s[1]), samples.map((s) => s[2])],
    );
    const inJs = samples.map(([n, a, p]) => {
      const postcode = normalisePostcode(p) || null;
      return { n: nameKey(n) || null, a: addressKey(a), p: postcode, s: postcode ? postcodeSector(postcode) : null };
    });
    expect(rows).toEqual(inJs);
  });
});

describe("the record-matching kit's decisions on a database made before the kit held them", () => {
  it("keeps every confirmation and rejection housing had recorded, under the kit's column names", async () => {
    const { housing } = await import('../../subgraphs/housing');
    const { copyFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const database = await openAgencyDatabase({});
    try {
      // Housing's migrations as they were applied before the kit, with the decisions' tables as housing made them.
      const before = mkdtempSync(join(tmpdir(), 'housing-before-kit-'));
      for (const file of ['001_system_of_record.sql', '002_matching.sql', '003_blocking_keys.sql'])
        copyFileSync(join(housing.migrationsDir, file), join(before, file));
      await migrate(database.owner, BLOCKING_MIGRATIONS.dir, BLOCKING_MIGRATIONS.namespace);
      await migrate(database.owner, before);
      await database.owner.exec(`
        CREATE TABLE service.nhs_cross_reference (member_ref text PRIMARY KEY, nhs_number text NOT NULL, confirmed_by text NOT NULL, confirmed_by_name text NOT NULL,
          confirmed_by_org text NOT NULL, purpose text NOT NULL, trace_id text NOT NULL, confirmed_at timestamptz NOT NULL DEFAULT now());
        CREATE INDEX nhs_cross_reference_nhs ON service.nhs_cross_reference (nhs_number);
        CREATE TABLE service.match_rejection (nhs_number text NOT NULL, member_ref text NOT NULL, rejected_by text NOT NULL, rejected_by_name text NOT NULL,
          rejected_by_org text NOT NULL, purpose text NOT NULL, trace_id text NOT NULL, rejected_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (nhs_number, member_ref));
        INSERT INTO service.nhs_cross_reference (member_ref, nhs_number, confirmed_by, confirmed_by_name, confirmed_by_org, purpose, trace_id)
          VALUES ('M0000001', '9990000042', 'ho.evans', 'Owen Evans', 'NH', 'safeguarding', 't1');
        INSERT INTO service.match_rejection (nhs_number, member_ref, rejected_by, rejected_by_name, rejected_by_org, purpose, trace_id)
          VALUES ('9990000042', 'M0000002', 'sw.jones', 'Sam Jones', 'NS001', 'safeguarding', 't2');`);
      const applied = await migrateAgency(database.owner, housing);
      expect(applied).toEqual(expect.arrayContaining(['matching:001_decisions.sql', '004_kit_decisions.sql']));
      expect(await database.owner.query('SELECT reference, nhs_number FROM service.nhs_cross_reference')).toEqual([
        { reference: 'M0000001', nhs_number: '9990000042' },
      ]);
      expect(await database.owner.query('SELECT reference, nhs_number FROM service.match_rejection')).toEqual([
        { reference: 'M0000002', nhs_number: '9990000042' },
      ]);
    } finally {
      await database.close();
    }
  });
});
