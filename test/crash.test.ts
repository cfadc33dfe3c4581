import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoPersona } from '../dev/personas';
import { CONTEXT_HEADER, createContextSigner, createKeyPair, openAgencyDatabase, type Authority } from '../shared';
import { syntheticNhsNumbers } from '../synthetic';
import { freePort, start, waitForHealth } from './spawn-service';

/**
 * Nothing lost: social care is killed (SIGKILL, no chance to flush) while it is
 * answering a stream of requests; every response that left it must have its
 * audit row in the embedded database's files when it is opened again.
 */
describe('audit rows survive a crash', () => {
  it('has a row for every response that left before the subgraph was killed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cv-crash-'));
    const keys = await createKeyPair('gateway-crash');
    writeFileSync(join(dir, 'gateway.jwks.json'), JSON.stringify(keys.publicJwks));
    const port = await freePort();
    const service = start('socialcare', 'subgraphs/socialcare/main.ts', {
      SOCIALCARE_PORT: String(port),
      DATA_DIR: join(dir, 'data'),
      SEED_IF_EMPTY: 'true',
      SEED_CHILDREN: '200',
      GATEWAY_JWKS_PATH: join(dir, 'gateway.jwks.json'),
      LOG_LEVEL: 'warn',
      SOCIALCARE_DATABASE_URL: '',
    });
    await waitForHealth(`http://127.0.0.1:${port}/health`, service);
    const sign = createContextSigner({ privateJwk: keys.privateJwk });
    const numbers = syntheticNhsNumbers();
    const children = Array.from({ length: 50 }, () => numbers.next().value as string);
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Child { socialCare { status } } } }';
    const answered: string[] = [];
    let sent = 0;
    const ask = async (i: number) => {
      const authority: Authority = { caller: demoPersona('sw.jones'), purpose: 'safeguarding', traceId: `crash-${i}` };
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await sign(authority, 'socialcare') },
        body: JSON.stringify({ query, variables: { r: children.map((nhsNumber) => ({ __typename: 'Child', nhsNumber })) } }),
      });
      const body = (await response.json()) as { data?: { _entities: ({ socialCare: unknown } | null)[] } };
      if (body.data?._entities.some((e) => e?.socialCare)) answered.push(authority.traceId);
    };
    // Four clients keep asking; the subgraph is killed while they do.
    const clients = Array.from({ length: 4 }, async () => {
      while (service.child.exitCode === null && service.child.signalCode === null) await ask(sent++).catch(() => undefined);
    });
    while (answered.length < 20) await new Promise((r) => setTimeout(r, 20));
    service.child.kill('SIGKILL');
    await Promise.all(clients);
    await service.exit;
    expect(answered.length).toBeGreaterThanOrEqual(20);
    expect(sent).toBeGreaterThan(answered.length);

    const database = await openAgencyDatabase({ dataDir: join(dir, 'data', 'socialcare') });
    try {
      const rows = await database.owner.query<{ trace: string }>("SELECT DISTINCT entry->>'traceId' AS trace FROM service.audit_entry");
      const recorded = new Set(rows.map((r) => r.trace));
      expect(answered.filter((trace) => !recorded.has(trace))).toEqual([]);
    } finally {
      await database.close();
    }
  }, 120_000);
});
