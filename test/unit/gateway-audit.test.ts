import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGatewayAudit, verifyGatewayAudit, type GatewayAuditEntry } from '../../gateway';
import { createLogger } from '../../shared';

const entry = (traceId: string): GatewayAuditEntry => ({
  at: new Date().toISOString(), traceId, caller: { sub: 'gp.smith', name: 'Dr Alex Smith', roles: ['gp'], org: 'Y00001' }, purpose: 'direct-care',
  breakGlass: null, operation: { type: 'query', name: null, hash: 'h' }, children: ['9990000018'], searches: [], filtered: [],
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
});
