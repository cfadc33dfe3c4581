import { readFileSync } from 'node:fs';
import { createClient } from 'redis';
import { demoPersonas, ErrorCode } from '../../shared';
import { verifyGatewayAudit, witnessedHeads } from '../../gateway';
import { REGISTRY } from '../../registry';
import { checkWitnessedHeads, verifyAuditChain } from '../../shared';
import type { Fault } from './run-soak';
import type { SoakFederation } from './soak-federation';
import { TIMELINE_QUERY, type LedgerEntry, type Outcome } from './workload';

/** One invariant, whether it held, and what was found. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

interface Row {
  traceId: string;
  children: Set<string>;
  at: number;
  disclosedAny: boolean;
}

/** A fault explains what happened from its start until a subgraph call begun during it has timed out (10 s) and a little more. */
const AFTER_FAULT_MS = 15_000;
const faultsAt = (faults: readonly Fault[], at: number) => faults.filter((f) => at >= f.from - 1_000 && at <= f.to + AFTER_FAULT_MS).map((f) => f.what);
const explainedBy = (faults: readonly Fault[], at: number) => faultsAt(faults, at)[0] ?? null;

export async function checkSoak(input: {
  federation: SoakFederation;
  ledger: LedgerEntry[];
  outcomes: Outcome[];
  faults: Fault[];
  received: Set<string>;
  sent: Set<string>;
  rss: { at: string; mb: Record<string, number | null> }[];
  started: number;
  warm: number;
  /** Whether the run is long enough for its memory growth to be judged (from minute 2), or only shown. */
  judgeMemory: boolean;
}): Promise<Check[]> {
  const { federation, ledger, outcomes, faults } = input;
  const checks: Check[] = [];
  // While the federation runs: the privacy officer's timelines, and what Redis holds.
  const sampled = sampleChildren(ledger, 8);
  const checkTraces = new Set<string>();
  const timelines = new Map<string, { agency: string; traceId: string; disclosed: string[] }[]>();
  for (const child of sampled) timelines.set(child, await timelineOf(federation, child, new Date(input.started - 60_000).toISOString(), checkTraces));
  const redisText = federation.redisUrl ? await redisContents(federation.redisUrl) : '';
  const codes = await federation.stop();
  checks.push({ name: 'every process stops cleanly on SIGTERM', ok: Object.values(codes).every((c) => c === 0 || c === null), detail: JSON.stringify(codes) });

  // Each agency's chain, and the gateway's log with the heads it witnessed.
  const gatewayLog = await verifyGatewayAudit(federation.auditPath);
  const witnessed = await witnessedHeads(federation.auditPath);
  const rows = new Map<string, Map<string, Row>>();
  const chainDetails: string[] = [];
  let chainsOk = gatewayLog.broken === null;
  for (const { name } of REGISTRY) {
    const database = await federation.openAgency(name);
    try {
      const chain = await verifyAuditChain(database.owner);
      const witness = await checkWitnessedHeads(database.owner, witnessed.get(name) ?? [], { retentionDays: 2922 });
      const broken = chain.broken ?? witness.broken;
      chainsOk &&= broken === null && witness.checked > 0;
      chainDetails.push(`${name} ${chain.rows} rows, ${witness.checked} witnessed heads${broken ? `, BROKEN at ${broken.seq}: ${broken.detail}` : ''}`);
      rows.set(name, await rowsOf(database.owner));
    } finally {
      await database.close();
    }
  }
  chainDetails.push(`gateway log ${gatewayLog.lines} lines${gatewayLog.broken ? `, BROKEN at line ${gatewayLog.broken.line}` : ''}`);
  checks.push({ name: "every agency's chain verifies, and matches the heads the gateway witnessed", ok: chainsOk, detail: chainDetails.join('; ') });

  // No disclosure unrecorded: every child of every response, in every agency whose part it carried.
  const missing: string[] = [];
  let pairs = 0;
  for (const entry of ledger) {
    for (const [child, agencies] of entry.children) {
      for (const agency of agencies) {
        pairs++;
        if (!rows.get(agency)?.get(entry.traceId)?.children.has(child)) missing.push(`${agency} ${entry.traceId} ${child} (${entry.action})`);
      }
    }
  }
  checks.push({
    name: 'every disclosure the client received has its row in each agency that made it',
    ok: missing.length === 0,
    detail: `${pairs} child×agency disclosures in ${ledger.length} responses; ${missing.length} without a row${missing.length ? `: ${missing.slice(0, 5).join('; ')}` : ''}`,
  });

  // Rows for responses the client never received with that agency's part: each must be explained.
  const inLedger = new Map(ledger.map((e) => [e.traceId, e]));
  const answered = new Map(outcomes.filter((o) => o.traceId).map((o) => [o.traceId!, o]));
  const extra = new Map<string, number>();
  const unexplained: string[] = [];
  const explainedPairs = new Set<string>();
  for (const [agency, byTrace] of rows) {
    for (const row of byTrace.values()) {
      const entry = inLedger.get(row.traceId);
      if (entry && [...entry.children.values()].some((agencies) => agencies.has(agency))) continue;
      if (checkTraces.has(row.traceId)) continue;
      const why = !row.disclosedAny ? 'fields withheld only (nothing disclosed)' : explainedBy(faults, row.at);
      if (why) {
        extra.set(why, (extra.get(why) ?? 0) + 1);
        explainedPairs.add(`${row.traceId} ${agency}`);
      } else {
        const o = answered.get(row.traceId);
        unexplained.push(
          `${agency} ${row.traceId} at ${new Date(row.at).toISOString()} (${o ? `${o.action}: HTTP ${o.status} ${o.codes.join(' ')}` : 'no response with this trace'})`,
        );
      }
    }
  }
  checks.push({
    name: 'no row for a response the client did not receive, beyond what a fault explains',
    ok: unexplained.length === 0,
    detail: `${[...extra].map(([why, n]) => `${n} during "${why}"`).join(', ') || 'none'}${unexplained.length ? `; UNEXPLAINED ${unexplained.length}: ${unexplained.slice(0, 5).join('; ')}` : ''}`,
  });

  checks.push(timelineCheck(ledger, timelines, explainedPairs, checkTraces));
  checks.push(scanCheck(input.received, input.sent, [readFileSync(federation.auditPath, 'utf8'), federation.logsOf('gateway').join('\n'), redisText]));
  checks.push(errorCheck(outcomes, faults));
  checks.push(rssCheck(input.rss, federation, input.started, input.warm, input.judgeMemory));
  return checks;
}

function sampleChildren(ledger: readonly LedgerEntry[], n: number): string[] {
  const counts = new Map<string, number>();
  for (const entry of ledger) if (entry.children.size === 1) for (const child of entry.children.keys()) counts.set(child, (counts.get(child) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([child]) => child);
  // The children seen most, and as many seen once or twice: both ends of the log.
  return [...new Set([...ranked.slice(0, n / 2), ...ranked.slice(-n / 2)])];
}

async function timelineOf(federation: SoakFederation, child: string, since: string, traces: Set<string>) {
  const entries: { agency: string; traceId: string; disclosed: string[] }[] = [];
  let after: string | null = null;
  for (let page = 0; page < 200; page++) {
    const response = await fetch(federation.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${federation.tokens['cg.wright']}`, 'x-purpose-of-use': 'audit' },
      body: JSON.stringify({ query: TIMELINE_QUERY, variables: { n: child, since, after } }),
    });
    const trace = response.headers.get('x-trace-id');
    if (trace) traces.add(trace);
    const body = (await response.json()) as { data?: { child?: { accessLog?: { entries: typeof entries | null; next: string | null } } }; errors?: unknown[] };
    const log = body.data?.child?.accessLog;
    if (!log?.entries) throw new Error(`the privacy officer's timeline of ${child} could not be read: ${JSON.stringify(body.errors ?? body)}`);
    entries.push(...log.entries);
    if (!log.next) break;
    after = log.next;
  }
  return entries;
}

async function rowsOf(db: { query<R>(sql: string, params?: unknown[]): Promise<R[]> }): Promise<Map<string, Row>> {
  const found = await db.query<{ entry: string; nhs_numbers: string[]; at: string }>(
    `SELECT l.entry, l.nhs_numbers, (extract(epoch FROM l.at) * 1000)::bigint::text AS at FROM service.audit_log l WHERE l.entry NOT LIKE '{"kind":"purge"%' ORDER BY l.seq`,
  );
  const byTrace = new Map<string, Row>();
  for (const r of found) {
    const doc = JSON.parse(r.entry) as { traceId: string; shapes?: { disclosed: string[] }[]; children?: { disclosed?: string[] }[] };
    const disclosedAny = doc.shapes ? doc.shapes.some((s) => s.disclosed.length > 0) : (doc.children ?? []).some((c) => (c.disclosed?.length ?? 0) > 0);
    const row = byTrace.get(doc.traceId) ?? { traceId: doc.traceId, children: new Set<string>(), at: Number(r.at), disclosedAny: false };
    for (const child of r.nhs_numbers) row.children.add(child);
    row.disclosedAny ||= disclosedAny;
    byTrace.set(doc.traceId, row);
  }
  return byTrace;
}

function timelineCheck(
  ledger: readonly LedgerEntry[],
  timelines: Map<string, { agency: string; traceId: string; disclosed: string[] }[]>,
  explained: Set<string>,
  checkTraces: Set<string>,
): Check {
  const problems: string[] = [];
  let compared = 0;
  const traces = new Set(ledger.map((e) => e.traceId));
  for (const [child, timeline] of timelines) {
    const shown = new Set(timeline.map((e) => `${e.traceId} ${e.agency}`));
    const expected = new Set(ledger.flatMap((e) => [...(e.children.get(child) ?? [])].map((agency) => `${e.traceId} ${agency}`)));
    compared += expected.size;
    for (const pair of expected) if (!shown.has(pair)) problems.push(`${child}: ${pair} received but not in the timeline`);
    for (const e of timeline) {
      const pair = `${e.traceId} ${e.agency}`;
      if (expected.has(pair) || explained.has(pair) || checkTraces.has(e.traceId)) continue;
      if (e.disclosed.length === 0 && traces.has(e.traceId)) continue;
      problems.push(`${child}: ${pair} in the timeline but never received`);
    }
  }
  return {
    name: "the privacy officer's timeline of sampled children equals the ledger",
    ok: problems.length === 0 && timelines.size > 0,
    detail: `${timelines.size} children, ${compared} disclosures compared${problems.length ? `; ${problems.slice(0, 5).join('; ')}` : ''}`,
  };
}

/** Record values the clients received (and never sent themselves) must appear nowhere in Redis or the gateway's files and logs. */
function scanCheck(received: Set<string>, sent: Set<string>, texts: string[]): Check {
  // The personas' own names and organisations are written as who asked, and may share a word with a child's name.
  const people = new Set<string>(Object.values(demoPersonas()).flatMap((p) => [p.name, p.org, p.sub, ...p.name.split(' ')]));
  const values = [...received].filter(
    (v) => v.length >= 5 && !sent.has(v) && !people.has(v) && !/^\d{10}$/.test(v) && !/^[A-Z_]+$/.test(v) && !/^\d{4}-\d{2}-\d{2}T/.test(v),
  );
  const haystack = texts.join('\n');
  // A value found only inside a longer word ("Edward" in "Edwards", typed in a search) is not that value.
  const escape = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const words = new Set(haystack.split(/[^\p{L}\p{N}]+/u));
  const candidates = values.filter((v) =>
    v
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean)
      .every((w) => words.has(w)),
  );
  const found = candidates.filter((v) => new RegExp(`(?<![\\p{L}\\p{N}])${escape(v)}(?![\\p{L}\\p{N}])`, 'u').test(haystack));
  return {
    name: "no record value in Redis or the gateway's files and logs",
    ok: found.length === 0 && values.length > 0,
    detail: `${values.length} distinct values scanned for in ${(haystack.length / 1024).toFixed(0)} KB${found.length ? `; FOUND: ${found.slice(0, 5).join(', ')}` : ''}`,
  };
}

function errorCheck(outcomes: readonly Outcome[], faults: readonly Fault[]): Check {
  const tally = new Map<string, number>();
  const wrong: string[] = [];
  // Withheld fields, and a caller over its rate limit (429, with when to come back), are answers by design.
  const always = new Set<string>([ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED]);
  const inFault = new Set<string>([ErrorCode.AGENCY_UNAVAILABLE, ErrorCode.AUDIT_UNAVAILABLE]);
  for (const o of outcomes) {
    const during = faultsAt(faults, o.at);
    const fault = during[0] ?? null;
    const key = o.status === 0 ? 'no response' : `HTTP ${o.status}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
    for (const code of o.codes) tally.set(code, (tally.get(code) ?? 0) + 1);
    if (o.uncoded > 0 && o.status !== 0) wrong.push(`${o.action}: ${o.uncoded} error(s) without a code (HTTP ${o.status})`);
    if (o.status === 0 && !during.some((f) => f.startsWith('gateway'))) wrong.push(`${o.action}: no response outside the gateway's restart`);
    if (o.status >= 500 && !fault) wrong.push(`${o.action}: HTTP ${o.status} outside any fault`);
    for (const code of o.codes)
      if (!always.has(code) && !(fault && inFault.has(code))) wrong.push(`${o.action}: ${code}${fault ? ` during "${fault}"` : ' outside any fault'}`);
  }
  return {
    name: 'errors carry a code; beyond FORBIDDEN and RATE_LIMITED, only AGENCY_UNAVAILABLE or AUDIT_UNAVAILABLE, and only during a fault',
    ok: wrong.length === 0,
    detail: `${[...tally]
      .sort()
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}${wrong.length ? `; WRONG ${wrong.length}: ${wrong.slice(0, 5).join('; ')}` : ''}`,
  };
}

/** The shortest run whose memory growth is judged: two minutes to settle, then at least two to watch. */
export const MEMORY_JUDGED_FROM_SECONDS = 240;

export function rssCheck(
  samples: { at: string; mb: Record<string, number | null> }[],
  federation: SoakFederation,
  started: number,
  warm: number,
  judged: boolean,
): Check {
  const [first, last] = [samples[0], samples.at(-1)];
  const lines: string[] = [];
  let ok = true;
  for (const name of federation.names()) {
    const restarted = federation.startedAt(name) > started + warm * 1000;
    const before = first?.mb[name] ?? null;
    const after = last?.mb[name] ?? null;
    if (restarted || before === null || after === null) {
      lines.push(`${name} ${after?.toFixed(0) ?? '?'} MB at the end (restarted during the run)`);
      continue;
    }
    const growth = (after - before) / before;
    ok &&= growth <= 0.1;
    lines.push(`${name} ${before.toFixed(0)} → ${after.toFixed(0)} MB (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} %)`);
  }
  // A run of a minute or two is all warm-up (code compiled, caches and the young generation filled as each kind of
  // request first comes): its memory is shown, and only a run with a settled minute 2 is held to the bound.
  if (!judged)
    return {
      name: `resident memory (its lows) from ${first?.at ?? '?'} to ${last?.at ?? '?'}: shown, not judged in a run under ${MEMORY_JUDGED_FROM_SECONDS / 60} minutes`,
      ok: true,
      detail: lines.join('; '),
    };
  return { name: `resident memory (its lows) grows at most 10 % from ${first?.at ?? '?'} to ${last?.at ?? '?'}`, ok, detail: lines.join('; ') };
}

async function redisContents(url: string): Promise<string> {
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const parts: string[] = [];
    for await (const keys of client.scanIterator({ COUNT: 500 })) {
      for (const key of ([] as string[]).concat(keys)) {
        parts.push(key);
        const type = await client.type(key);
        if (type === 'string') parts.push(String(await client.get(key)));
        else if (type === 'hash') parts.push(JSON.stringify(await client.hGetAll(key)));
        else if (type === 'set') parts.push(...(await client.sMembers(key)));
        else if (type === 'zset') parts.push(...(await client.zRange(key, 0, -1)));
        else if (type === 'list') parts.push(...(await client.lRange(key, 0, -1)));
      }
    }
    return parts.join('\n');
  } finally {
    await client.quit();
  }
}
