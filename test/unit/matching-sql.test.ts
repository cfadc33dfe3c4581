import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { addressKey, nameKey, normalisePostcode, openAgencyDatabase, postcodeSector, type AgencyDatabase } from '../../shared';

const migration = (agency: string, file: string) => readFileSync(join(__dirname, '..', '..', 'subgraphs', agency, 'migrations', file), 'utf8');
/** The key functions of a migration: everything before its indexes (which need the agency's tables). */
const functionsOf = (sql: string) => sql.slice(sql.indexOf('CREATE OR REPLACE FUNCTION'), sql.indexOf('CREATE INDEX'));

describe('the blocking keys the agencies\' SQL computes', () => {
  let database: AgencyDatabase;
  beforeAll(async () => {
    database = await openAgencyDatabase({});
    await database.owner.exec(`CREATE SCHEMA service;\n${functionsOf(migration('housing', '003_blocking_keys.sql'))}`);
  });
  afterAll(() => database?.close());

  it('are defined the same way for identity and housing', () => {
    expect(functionsOf(migration('identity', '006_blocking_keys.sql'))).toBe(functionsOf(migration('housing', '003_blocking_keys.sql')));
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
