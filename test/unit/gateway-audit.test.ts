import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { createGatewayAudit, verifyGatewayAudit, witnessedHeads, type GatewayAuditEntry } from '../../gateway';
import { createLogger } from '../../shared';

const entry = (traceId: string): GatewayAuditEntry => ({
  at: new Date().toISOString(),
  traceId,
  caller: { sub: 'gp.smith', name: 'Dr Alex Smith', roles: ['gp'], org: 'Y00001' },
  purpose: 'direct-care',
  breakGlass: null,
  operation: { type: 'query', name: null, hash: 'h' },
  children: ['9990000018'],
  searches: [],
  filtered: [],
});

describe('the gateway audit log', () => {
  it('continues the chain across a restart, reading only where the file ends', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cv-gw-log-')), 'nested', 'audit.jsonl');
    const logger = createLogger('test', 'silent');
    const first = createGatewayAudit({ path, logger });
    await Promise.all([first.append(entry('a')), first.append(entry('b'))]);
    const restarted = createGatewayAudit({ path, logger });
    await restarted.append(entry('c'));
    expect(await verifyGatewayAudit(path)).toEqual({ lines: 3, broken: null });
  });

  it('keeps the newest head each agency showed, and writes those not yet written when the gateway stops', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cv-gw-log-')), 'audit.jsonl');
    const audit = createGatewayAudit({ path, logger: createLogger('test', 'silent') });
    await audit.flush();
    expect(existsSync(path)).toBe(false);
    const hash = (c: string) => c.repeat(64);
    // Answers of two batches arriving out of order: the newer head stays.
    audit.witness('health', { seq: 8, hash: hash('b') });
    audit.witness('health', { seq: 7, hash: hash('a') });
    audit.witness('education', { seq: 3, hash: hash('c') });
    await audit.flush();
    await audit.flush();
    expect(await verifyGatewayAudit(path)).toEqual({ lines: 1, broken: null });
    const heads = await witnessedHeads(path);
    expect(Object.fromEntries([...heads].map(([agency, list]) => [agency, list.map((h) => [h.seq, h.hash, h.where])]))).toEqual({
      health: [[8, hash('b'), `${path} line 1`]],
      education: [[3, hash('c'), `${path} line 1`]],
    });
  });
});
