import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyGatewayAudit, witnessedHeads } from '../gateway';
import { AGENCY_NAMES } from '../registry';
import { checkWitnessedHeads, verifyAuditChain, type AuditEntry, type Database } from '../shared';
import { backends, startFederation, type Federation, type GraphQLResponse } from './start-federation';

const AMELIA = '9990000018';
const fullView = `{ child(nhsNumber: "${AMELIA}") { nhsNumber name { given family } address { postcode }
  health { registeredGp { practiceName } immunisations { vaccine } }
  socialCare { status allocatedWorker { name } caseNotes { text } }
  housing { matchConfidence tenancy { address } }
  education { school { name } attendanceRate }
  police { matchConfidence encompassNotifications { sentAt } } } }`;
/** Every agency in the registry: the full view above asks each for its part (an agency joining adds its field there). */
const AGENCIES: readonly string[] = AGENCY_NAMES;

describe.each(backends)("each agency's audit log on %s", (backend) => {
  let federation: Federation;
  beforeAll(async () => {
    federation = await startFederation({ backend, children: 50 });
  }, 120_000);
  afterAll(() => federation?.stop());

  const latest = async (agency: string) =>
    (await federation.agencies[agency]!.query<{ entry: AuditEntry }>('SELECT entry FROM service.audit_entry ORDER BY seq DESC LIMIT 1'))[0]?.entry;
  const withTrace = async (agency: string, traceId: string) =>
    (await federation.agencies[agency]!.query<{ entry: AuditEntry }>("SELECT entry FROM service.audit_entry WHERE entry->>'traceId' = $1", [traceId])).map(
      (r) => r.entry,
    );

  it('leaves exactly one row per agency for a request touching every agency, with the same trace id', async () => {
    const { body } = await federation.queryGateway(fullView, {}, { persona: 'sw.jones', purpose: 'safeguarding' });
    expect(body.errors).toBeUndefined();
    const traceId = (await latest('identity'))!.traceId;
    for (const agency of AGENCIES) {
      const rows = await withTrace(agency, traceId);
      expect({ agency, rows: rows.length }).toEqual({ agency, rows: 1 });
      expect(rows[0]).toMatchObject({
        children: [{ nhsNumber: AMELIA }],
        purpose: 'safeguarding',
        caller: { sub: 'sw.jones', name: 'Sam Jones', roles: ['social-worker'], org: 'NS001' },
        breakGlass: null,
      });
    }
    const [socialcare] = await withTrace('socialcare', traceId);
    expect(socialcare!.children[0]!.disclosed).toEqual(['socialCare.allocatedWorker.name', 'socialCare.caseNotes.text', 'socialCare.status']);
    expect(socialcare!.basis).toEqual({ policies: ['socialcare:status'], lawfulBasis: 'safeguarding children (DPA 2018 Sch 1 para 18)' });
    const [housing] = await withTrace('housing', traceId);
    expect(housing!.children[0]!.localReference).toMatch(/^TEN0000001-/);
    const [identity] = await withTrace('identity', traceId);
    expect(identity!.children[0]!.disclosed).toEqual(expect.arrayContaining(['name.given', 'address.postcode', 'nhsNumber']));
  });

  it('records denied fields with the policy and the reason', async () => {
    const { body } = await federation.queryGateway(
      `{ child(nhsNumber: "${AMELIA}") { socialCare { status caseNotes { text } } } }`,
      {},
      { persona: 'sw.ahmed', purpose: 'safeguarding' },
    );
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const entry = (await latest('socialcare'))!;
    expect(entry.caller.sub).toBe('sw.ahmed');
    expect(entry.children).toHaveLength(1);
    expect(entry.children[0]!.disclosed).toEqual(['socialCare.status']);
    expect(entry.children[0]!.denied).toEqual([
      { field: 'socialCare.caseNotes', policy: 'socialcare:case-notes', reason: expect.stringContaining('allocated-worker') },
    ]);
  });

  it('discloses nothing when the audit log cannot be written', async () => {
    const socialcare = federation.agencies.socialcare!;
    await socialcare.asOwner('REVOKE EXECUTE ON FUNCTION service.append_audit(text[], text[], text[]) FROM socialcare_service');
    try {
      const { body } = await federation.queryGateway(
        `{ child(nhsNumber: "${AMELIA}") { name { given } socialCare { status allocatedWorker { name } } } }`,
        {},
        { persona: 'sw.jones', purpose: 'safeguarding' },
      );
      expect(body.data.child.socialCare).toBeNull();
      expect(JSON.stringify(body)).not.toContain('CHILD_PROTECTION_PLAN');
      expect(JSON.stringify(body)).not.toContain('Sam Jones');
      expect(body.errors?.map((e) => e.extensions?.code)).toContain('AUDIT_UNAVAILABLE');
      // Identity, whose log works, still answers for its own part.
      expect(body.data.child.name).toEqual({ given: 'Amelia' });
    } finally {
      await socialcare.asOwner('GRANT EXECUTE ON FUNCTION service.append_audit(text[], text[], text[]) TO socialcare_service');
    }
    const { body } = await federation.queryGateway(
      `{ child(nhsNumber: "${AMELIA}") { socialCare { status } } }`,
      {},
      { persona: 'sw.jones', purpose: 'safeguarding' },
    );
    expect(body.data.child.socialCare).toEqual({ status: 'CHILD_PROTECTION_PLAN' });
  });

  describe('the federated access log', () => {
    const log = (agency: string) => `${agency} { at callerSub callerName purpose disclosed denied { field policy } traceId }`;
    const timeline = 'entries { agency at callerSub traceId purpose disclosed denied { field policy reason } }';
    const accessLog = `{ child(nhsNumber: "${AMELIA}") { accessLog { ${AGENCIES.map(log).join(' ')} ${timeline} } } }`;
    type Entry = { agency: string; at: string; callerSub: string; traceId: string };
    /** Each agency's part, its entries tagged with the agency, in the order the agency gave them. */
    const tagged = (parts: Record<string, Entry[]>) => AGENCIES.flatMap((agency) => parts[agency]!.map((e) => ({ ...e, agency })));

    it('gives the privacy officer every access to Amelia made here, in order, from every agency', async () => {
      const { body } = await federation.queryGateway(accessLog, {}, { persona: 'cg.wright', purpose: 'audit' });
      expect(body.errors).toBeUndefined();
      const parts = body.data.child.accessLog;
      // Every request above reached identity; sw.jones's full view reached every agency; the audit test's
      // requests reached social care, the last one once the log could be written again.
      expect(parts.identity.map((e: { callerSub: string }) => e.callerSub)).toEqual(['sw.jones', 'sw.ahmed', 'sw.jones', 'sw.jones']);
      expect(parts.socialcare.map((e: { callerSub: string }) => e.callerSub)).toEqual(['sw.jones', 'sw.ahmed', 'sw.jones']);
      for (const agency of AGENCIES.filter((a) => !['identity', 'socialcare'].includes(a)))
        expect(parts[agency].map((e: { callerSub: string }) => e.callerSub)).toEqual(['sw.jones']);
      // One timeline, assembled from every agency's part: all of them, and nothing else, oldest first.
      const entries = parts.entries as Entry[];
      const key = (e: Entry) => `${e.agency} ${e.at} ${e.traceId} ${e.callerSub}`;
      expect(entries.map(key).sort()).toEqual(tagged(parts).map(key).sort());
      expect(entries.map((e) => e.at)).toEqual(entries.map((e) => e.at).sort());
      // Each agency's own entries keep their order in the timeline.
      for (const agency of AGENCIES)
        expect(entries.filter((e) => e.agency === agency).map(key)).toEqual(parts[agency].map((e: Entry) => key({ ...e, agency })));
      // The first request was sw.jones's full view: one row in each agency, with one trace id.
      expect(
        entries
          .slice(0, AGENCIES.length)
          .map((e) => [e.agency, e.callerSub])
          .sort(),
      ).toEqual(AGENCIES.map((agency) => [agency, 'sw.jones']).sort());
      expect(new Set(entries.slice(0, AGENCIES.length).map((e) => e.traceId)).size).toBe(1);
      expect(entries.find((e) => e.callerSub === 'sw.ahmed' && e.agency === 'socialcare')).toMatchObject({
        denied: [{ field: 'socialCare.caseNotes', policy: 'socialcare:case-notes' }],
      });
      expect(parts.socialcare[1]).toMatchObject({
        callerName: 'Priya Ahmed',
        purpose: 'safeguarding',
        denied: [{ field: 'socialCare.caseNotes', policy: 'socialcare:case-notes' }],
      });
    });

    it('pages the timeline: each page at most `first` entries, `next` continuing where it stopped, together the whole timeline', async () => {
      const page = `query Page($first: Int, $after: String) { child(nhsNumber: "${AMELIA}") { accessLog(first: $first, after: $after) {
        entries { agency at traceId cursor } next ${AGENCIES.map((a) => `${a} { cursor }`).join(' ')} } } }`;
      const asked = { persona: 'cg.wright' as const, purpose: 'audit' };
      const whole = (await federation.queryGateway(page, { first: 500 }, asked)).body.data.child.accessLog;
      const key = (e: Entry & { cursor: string }) => e.cursor;
      expect(whole.next).toBeNull();
      expect(whole.entries.length).toBeGreaterThan(6);
      const paged: (Entry & { cursor: string })[] = [];
      let after: string | null = null;
      for (let pages = 0; pages < 50; pages++) {
        const response: GraphQLResponse = await federation.queryGateway(page, { first: 3, after }, asked);
        expect(response.body.errors).toBeUndefined();
        const log: Record<string, any> = response.body.data.child.accessLog;
        expect(log.entries.length).toBeLessThanOrEqual(3);
        for (const agency of AGENCIES) expect(log[agency].length).toBeLessThanOrEqual(3);
        paged.push(...log.entries);
        if (!log.next) break;
        expect(log.next).toBe(log.entries.at(-1).cursor);
        after = log.next;
      }
      // Reading the log is itself recorded: the pages see the rows of the pages before them, which come after `whole`'s.
      expect(paged.slice(0, whole.entries.length).map(key)).toEqual(whole.entries.map(key));
      expect(new Set(paged.map(key)).size).toBe(paged.length);
      const bad = await federation.queryGateway(page, { first: 501, after: 'not-a-cursor' }, asked);
      expect(bad.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'first' } });
      const badCursor = await federation.queryGateway(page, { first: 5, after: 'not-a-cursor' }, asked);
      expect(badCursor.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'after' } });
    });

    it('reads only the period asked for, a year by default', async () => {
      const ask = (args: string) =>
        federation.queryGateway(`{ child(nhsNumber: "${AMELIA}") { accessLog${args} { entries { at } } } }`, {}, { persona: 'cg.wright', purpose: 'audit' });
      expect((await ask('')).body.data.child.accessLog.entries.length).toBeGreaterThan(0);
      const future = new Date(Date.now() + 400 * 86_400_000).toISOString();
      // A year before a date more than a year away holds nothing written today.
      expect((await ask(`(until: "${future}")`)).body.data.child.accessLog.entries).toEqual([]);
      expect((await ask(`(since: "2000-01-01", until: "${future}")`)).body.data.child.accessLog.entries.length).toBeGreaterThan(0);
    });

    it("is the privacy officer's alone, and their reading of it is recorded too", async () => {
      const { body } = await federation.queryGateway(accessLog, {}, { persona: 'sw.jones', purpose: 'safeguarding' });
      expect(body.data?.child?.accessLog ?? null).toBeNull();
      expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      await federation.queryGateway(accessLog, {}, { persona: 'cg.wright', purpose: 'audit' });
      for (const agency of AGENCIES) {
        const entry = (await latest(agency))!;
        expect({ agency, caller: entry.caller.sub, purpose: entry.purpose }).toEqual({ agency, caller: 'cg.wright', purpose: 'audit' });
      }
    });

    it('assembles no timeline when an agency does not answer for its part, and still gives the parts that did', async () => {
      const health = federation.agencies.health!;
      await health.asOwner('REVOKE SELECT ON service.audit_log FROM health_service');
      try {
        const { body } = await federation.queryGateway(accessLog, {}, { persona: 'cg.wright', purpose: 'audit' });
        const log = body.data.child.accessLog;
        expect(log.entries).toBeNull();
        expect(log.health).toBeNull();
        expect(log.identity.length).toBeGreaterThan(0);
        expect(body.errors?.find((e) => e.path?.join('.') === 'child.accessLog.entries')).toMatchObject({
          message: expect.stringContaining('health did not answer'),
          extensions: { code: 'AGENCY_UNAVAILABLE', agencies: ['health'] },
        });
      } finally {
        await health.asOwner('GRANT SELECT ON service.audit_log TO health_service');
      }
    });

    it("gives each user their own access history, and nobody else's", async () => {
      const { body } = await federation.queryGateway(
        `{ myAccessHistory { ${AGENCIES.map(log).join(' ')} ${timeline} } }`,
        {},
        { persona: 'sw.ahmed', purpose: 'direct-care' },
      );
      expect(body.errors).toBeUndefined();
      const all = tagged(body.data.myAccessHistory);
      expect(all.length).toBeGreaterThan(0);
      expect(new Set(all.map((e: { callerSub: string }) => e.callerSub))).toEqual(new Set(['sw.ahmed']));
      const entries = body.data.myAccessHistory.entries as Entry[];
      expect(entries.map((e) => `${e.agency} ${e.at} ${e.traceId}`).sort()).toEqual(all.map((e) => `${e.agency} ${e.at} ${e.traceId}`).sort());
      expect(entries.map((e) => e.at)).toEqual(entries.map((e) => e.at).sort());
    });
  });

  describe("the gateway's own audit log", () => {
    const lines = () =>
      readFileSync(federation.gatewayAuditPath, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));

    it('records every operation before anything is fetched: caller, purpose, operation, children, searches and what it withheld', async () => {
      await federation.queryGateway(
        `{ child(nhsNumber: "${AMELIA}") { name { given } health { immunisations { vaccine } conditions { name } } } }`,
        {},
        { persona: 'dr.lee', purpose: 'emergency-care' },
      );
      await federation.queryGateway(
        'query Find($f: String) { searchChildren(family: $f, dateOfBirth: "2019-05-14") { score } }',
        { f: 'Hart' },
        { persona: 'gp.smith', purpose: 'direct-care' },
      );
      const [viewed, searched] = lines().slice(-2);
      expect(viewed).toMatchObject({
        caller: { sub: 'dr.lee' },
        purpose: 'emergency-care',
        operation: { type: 'query', name: null },
        children: [AMELIA],
        searches: [],
        // Without break-glass an emergency clinician may see nothing of health's that was asked for.
        // The fields withheld are named, not only the part they left empty.
        filtered: [
          {
            path: 'child.health',
            fields: ['ChildHealth.immunisations', 'ChildHealth.conditions'],
            policy: 'health:clinical',
            reason: expect.stringContaining('break-glass'),
          },
        ],
      });
      expect(viewed.operation.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(searched).toMatchObject({
        caller: { sub: 'gp.smith' },
        operation: { name: 'Find' },
        children: [],
        searches: [{ family: 'Hart', dateOfBirth: '2019-05-14' }],
      });
      // Metadata only: nothing an agency returned.
      expect(JSON.stringify(lines())).not.toMatch(/Amelia|Riverside Surgery|MMR|14 Mill Lane/);
    });

    it('is hash-chained, so that an edited line is found', async () => {
      expect(await verifyGatewayAudit(federation.gatewayAuditPath)).toMatchObject({ broken: null });
      const copy = join(mkdtempSync(join(tmpdir(), 'cv-gw-audit-')), 'copy.jsonl');
      const all = readFileSync(federation.gatewayAuditPath, 'utf8').trim().split('\n');
      all[1] = all[1]!.replace('"purpose":"safeguarding"', '"purpose":"direct-care"');
      writeFileSync(copy, `${all.join('\n')}\n`);
      expect((await verifyGatewayAudit(copy)).broken).toMatchObject({ line: 2 });
    });

    // Last in this file: it rewrites social care's chain.
    it("keeps the heads the agencies show it, so that an agency's chain rewritten with its hashes recomputed is found", async () => {
      const viewed = await federation.queryGateway(fullView, {}, { persona: 'sw.jones', purpose: 'safeguarding' });
      expect(viewed.body.errors).toBeUndefined();
      // The client sees no agency's head.
      expect(JSON.stringify(viewed.body)).not.toContain('auditHead');
      await federation.queryGateway(`{ child(nhsNumber: "${AMELIA}") { name { given } } }`, {}, { persona: 'sw.jones', purpose: 'safeguarding' });
      // The line for the second request carries the head each agency showed for the first, which is its newest row then.
      const { witnessed } = lines().at(-1) as { witnessed: Record<string, { seq: number; hash: string }> };
      expect(Object.keys(witnessed).sort()).toEqual([...AGENCIES].sort());
      for (const agency of AGENCIES) {
        const [row] = await federation.agencies[agency]!.query<{ hash: string; entry: AuditEntry }>(
          'SELECT hash, entry FROM service.audit_entry WHERE seq = $1',
          [witnessed[agency]!.seq],
        );
        expect({ agency, hash: row?.hash, caller: row?.entry.caller.sub }).toEqual({ agency, hash: witnessed[agency]!.hash, caller: 'sw.jones' });
      }
      const socialcare = federation.agencies.socialcare!;
      const db = { kind: backend, query: (sql: string, params?: unknown[]) => socialcare.query(sql, params) } as unknown as Database;
      const heads = (await witnessedHeads(federation.gatewayAuditPath)).get('socialcare')!;
      expect(await checkWitnessedHeads(db, heads, { retentionDays: 2922 })).toEqual({ checked: heads.length, broken: null });
      // Someone who can write social care's log changes the witnessed row and recomputes every hash after it.
      const rewritten = witnessed.socialcare!.seq;
      await socialcare.asOwner(`DO $$
        DECLARE r record; prev text;
        BEGIN
          SELECT prev_hash INTO prev FROM service.audit_log WHERE seq = ${rewritten};
          FOR r IN SELECT seq FROM service.audit_log WHERE seq >= ${rewritten} ORDER BY seq LOOP
            UPDATE service.audit_log SET entry = replace(entry, '"safeguarding"', '"direct-care"') WHERE seq = r.seq AND seq = ${rewritten};
            UPDATE service.audit_log SET prev_hash = prev, hash = service.audit_hash(prev, at, caller_sub, nhs_numbers, entry) WHERE seq = r.seq RETURNING hash INTO prev;
          END LOOP;
          UPDATE service.audit_head SET hash = prev;
        END $$`);
      expect(await verifyAuditChain(db)).toMatchObject({ broken: null });
      expect((await checkWitnessedHeads(db, heads, { retentionDays: 2922 })).broken).toMatchObject({ seq: rewritten, kind: 'rewritten' });
    });
  });
});
