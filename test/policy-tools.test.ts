import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAgencies } from '../registry';
import { ensureServiceRole, inTransaction, loadSubgraphConfig, migrateAgency, openAgencyDatabase, ROLES } from '../shared';
import { explain } from '../tools/policy/explain';
import { lintPolicies } from '../tools/policy/lint';
import { policyMatrix, toCsv, toHtml } from '../tools/policy/matrix';

const agencies = loadAgencies();

describe("the security officer's policy tools", () => {
  it('lint finds nothing wrong with the seeded policy', () => {
    expect(lintPolicies()).toEqual([]);
  });

  describe('matrix', () => {
    const rows = policyMatrix();
    const decision = (field: string, role: string, purpose: string) =>
      rows.find((r) => r.field === field && r.role === role && r.purpose === purpose)?.decision;

    it('decides every field for every role and purpose', () => {
      const fields = new Set(rows.map((r) => r.field));
      expect(fields.size).toBeGreaterThan(80);
      expect(rows.length).toBe(fields.size * ROLES.length * 5);
    });

    it.each([
      ['ChildSocialCare.caseNotes', 'social-worker', 'safeguarding', 'depends on the record'],
      ['ChildSocialCare.caseNotes', 'emergency-clinician', 'emergency-care+break-glass', 'denied'],
      ['ChildHealth.immunisations', 'emergency-clinician', 'emergency-care+break-glass', 'allowed'],
      ['ChildHealth.immunisations', 'emergency-clinician', 'emergency-care', 'denied'],
      ['ChildSocialCare.status', 'school-dsl', 'direct-care', 'denied'],
      ['ChildSocialCare.status', 'school-dsl', 'safeguarding', 'allowed'],
      ['Child.name', 'privacy-officer', 'audit', 'denied'],
    ])('says %s for %s (%s) is %s', (field, role, purpose, expected) => {
      expect(decision(field, role, purpose)).toBe(expected);
    });

    it('writes CSV and a static HTML page', () => {
      expect(toCsv(rows).split('\n')[0]).toBe('field,policies,role,purpose,decision');
      const html = toHtml(rows);
      expect(html).toContain('<table>');
      expect(html).toContain('ChildSocialCare.caseNotes');
    });
  });

  describe("explain, with the agencies' own records", () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cv-explain-'));
    const saved = process.env.DATA_DIR;
    beforeAll(async () => {
      process.env.DATA_DIR = dataDir;
      for (const { definition, seed } of agencies.filter((a) => ['identity', 'health', 'socialcare'].includes(a.definition.name))) {
        const config = loadSubgraphConfig(definition.name, definition.defaultPort);
        const database = await openAgencyDatabase({ dataDir: config.dataDir });
        await migrateAgency(database.owner, definition);
        await ensureServiceRole(database.owner, definition.serviceRole);
        await inTransaction(database.owner, () => seed(database.owner, { children: 20, seed: 1 }));
        await database.close();
      }
    }, 120_000);
    afterAll(() => {
      process.env.DATA_DIR = saved;
    });

    it('denies a GP the conditions of a child registered elsewhere, and says which rule', async () => {
      const result = await explain({ persona: 'gp.smith', purpose: 'direct-care', child: '9990000042', path: 'Child.health.conditions' });
      expect(result.allowed).toBe(false);
      expect(result.steps.at(-1)!.decision).toContain('registered-practice');
    });

    it('allows the same GP the conditions of a child registered with them', async () => {
      const result = await explain({ persona: 'gp.smith', purpose: 'direct-care', child: '9990000018', path: 'Child.health.conditions' });
      expect(result.allowed).toBe(true);
      expect(result.steps.at(-1)!.decision).toContain('allowed by health:conditions');
    });

    it('stops at the caller when the role can never read the field', async () => {
      const result = await explain({
        persona: 'dr.lee',
        purpose: 'emergency-care',
        child: '9990000018',
        path: 'Child.socialCare.caseNotes',
        breakGlass: 'Unconscious child, history needed now',
      });
      expect(result.allowed).toBe(false);
      expect(result.steps.at(-1)!.decision).toMatch(/^denied by socialcare:case-notes/);
    });

    it('refuses a bad NHS number', async () => {
      await expect(explain({ persona: 'gp.smith', purpose: 'direct-care', child: '123', path: 'Child.health' })).rejects.toThrow('10 digits');
    });
  });
});
