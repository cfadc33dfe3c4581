import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineAgency, readMatchingDeclaration, requiredDemographics } from '../../shared';
import { housing } from '../../subgraphs/housing';
import { matching } from '../../subgraphs/housing/store';

const housingDir = join(__dirname, '..', '..', 'subgraphs', 'housing');

/** A copy of housing's folder, with one file changed, for an agency team's mistake. */
function housingWith(file: string, change: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cv-housing-'));
  cpSync(housingDir, dir, { recursive: true });
  writeFileSync(join(dir, file), change(readFileSync(join(dir, file), 'utf8')));
  return dir;
}

const parts = { name: 'housing', resolvers: {}, createLoaders: () => ({}), primaryTable: 'records.tenancy', recordFacts: {} };

describe("an agency's record-matching declaration (matching.yaml)", () => {
  it("gives the demographics its field on Child must require, as housing's does", () => {
    const declaration = readMatchingDeclaration(housingDir)!;
    expect(requiredDemographics(declaration)).toBe('name { given family } dateOfBirth address { line1 town postcode } restricted');
    expect(requiredDemographics({ ...declaration, matchOn: ['family', 'dateOfBirth'] })).toBe('name { family } dateOfBirth restricted');
    expect(housing.kitMigrations.map((m) => m.namespace)).toEqual(['matching-keys', 'matching']);
  });

  it('refuses a declaration it cannot use, naming the file, the key and the reason', () => {
    const dir = housingWith('matching.yaml', (text) =>
      text.replace('matchOn: [given, family, dateOfBirth, line1, town, postcode]', 'matchOn: [given, shoeSize]'),
    );
    expect(() => readMatchingDeclaration(dir)).toThrow(new RegExp(`^${join(dir, 'matching.yaml')}: matchOn\\.1: `));
  });

  it('refuses an agency whose @requires is not what it declares, naming the string it must carry', () => {
    const dir = housingWith('schema.graphql', (text) => text.replace('address { line1 town postcode } restricted")', 'address { postcode } restricted")'));
    expect(() => defineAgency(dir, { ...parts, matching })).toThrow(
      /must carry @requires\(fields: "name \{ given family \} dateOfBirth address \{ line1 town postcode \} restricted"\).*Child\.housing does not/,
    );
  });

  it("refuses an agency that declares matching without the kit's code, and the other way round", () => {
    expect(() => defineAgency(housingDir, parts)).toThrow(/matching\.yaml declares record matching, but defineAgency was given no `matching`/);
    const withoutDeclaration = housingWith('matching.yaml', (text) => text);
    rmSync(join(withoutDeclaration, 'matching.yaml'));
    expect(() => defineAgency(withoutDeclaration, { ...parts, matching })).toThrow(/defineAgency was given `matching` without a matching\.yaml/);
  });
});
