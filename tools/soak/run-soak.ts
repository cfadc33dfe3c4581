import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { populationFor, createRandom } from '../../synthetic';
import { checkSoak, MEMORY_JUDGED_FROM_SECONDS, type Check } from './checks';
import { colleague, COLLEAGUES, startSoakFederation, type SoakFederation } from './soak-federation';
import { createWorkload, disclosedIn, recordValues, type Data, type LedgerEntry, type Outcome, type Request } from './workload';

export interface SoakOptions {
  /** How long the workload runs. @default 600 */
  seconds?: number;
  /** Children in every agency's seed. @default 20000 */
  children?: number;
  /** Requests started per second (open loop: a request does not wait for the one before). @default 6 */
  rate?: number;
  /** The most requests in flight; past it a request is skipped and counted. @default 24 */
  concurrency?: number;
  /** A PostgreSQL server for the agencies' databases; embedded databases when unset. */
  databaseUrl?: string;
  /** Run (and restart) a Redis for the gateway's shared state. @default false */
  redis?: boolean;
  /** The agency killed with SIGKILL during the run. @default 'socialcare' */
  kill?: string;
  /** Told what happens as it happens. */
  say?: (line: string) => void;
  /** @default 1 */
  seed?: number;
}

/** A fault while it lasted: from the moment it began until its service answered again. */
export interface Fault {
  what: string;
  from: number;
  to: number;
}

export interface SoakReport {
  options: Required<Omit<SoakOptions, 'databaseUrl' | 'say'>> & { databaseUrl: string | null };
  started: number;
  ended: number;
  requests: number;
  skipped: number;
  byAction: Map<string, number>;
  faults: Fault[];
  ledger: LedgerEntry[];
  outcomes: Outcome[];
  rss: { at: string; mb: Record<string, number | null> }[];
  checks: Check[];
}

/**
 * A day of a county, shortened: the personas' workload against the whole
 * federation as separate processes, with one agency killed, the gateway
 * restarted and (when used) Redis restarted on a schedule, then every
 * accountability invariant checked against the soak's own ledger.
 */
export async function runSoak(options: SoakOptions = {}): Promise<SoakReport> {
  const o = {
    seconds: options.seconds ?? 600,
    children: options.children ?? 20_000,
    rate: options.rate ?? 6,
    concurrency: options.concurrency ?? 24,
    redis: options.redis ?? false,
    kill: options.kill ?? 'socialcare',
    seed: options.seed ?? 1,
    databaseUrl: options.databaseUrl ?? null,
  };
  const say = options.say ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'cv-soak-'));
  say(
    `starting the federation (${o.children.toLocaleString('en-GB')} children, ${o.databaseUrl ? 'PostgreSQL' : 'embedded databases'}${o.redis ? ', Redis' : ''}) in ${dir}`,
  );
  const federation = await startSoakFederation({ dir, children: o.children, databaseUrl: o.databaseUrl ?? undefined, redis: o.redis });
  try {
    const population = populationFor({ children: o.children, seed: 1 });
    const random = createRandom(o.seed);
    const started = Date.now();
    const workload = createWorkload(population, () => random.next(), new Date(started - 60_000).toISOString(), COLLEAGUES);
    const ledger: LedgerEntry[] = [];
    const outcomes: Outcome[] = [];
    const received = new Set<string>();
    const sent = new Set<string>();
    const byAction = new Map<string, number>();
    const faults: Fault[] = [];
    const rss: SoakReport['rss'] = [];
    let inFlight = 0;
    let skipped = 0;
    const send = async (request: Request): Promise<void> => {
      inFlight++;
      byAction.set(request.action, (byAction.get(request.action) ?? 0) + 1);
      collectSent(request.variables, sent);
      try {
        const outcome = await post(federation, request);
        outcomes.push(outcome.outcome);
        const data = outcome.body?.data;
        if (outcome.outcome.traceId && data) {
          const children = disclosedIn(data, request.about ?? request.variables?.n);
          if (children.size > 0) ledger.push({ traceId: outcome.outcome.traceId, persona: request.persona, action: request.action, at: Date.now(), children });
          if (request.action !== 'privacy timeline') recordValues(data, received);
        }
        const follow = workload.learn(request, data);
        if (follow) await send(follow);
      } finally {
        inFlight--;
      }
    };
    const schedule = faultSchedule(o);
    // Memory is judged from minute 2, as a service's settles by then; a run too short to have a minute 2 and
    // two more after it shows its memory from a fifth of the way in, but is not held to it (see rssCheck).
    const warm = o.seconds >= MEMORY_JUDGED_FROM_SECONDS ? 120 : o.seconds / 5;
    const pending: Promise<void>[] = [];
    const faultRuns: Promise<void>[] = [];
    // Resident memory every few seconds: a process's lowest in a window is what it holds once garbage is collected.
    const samples: { t: number; mb: Record<string, number | null> }[] = [];
    const sampler = setInterval(() => samples.push({ t: (Date.now() - started) / 1000, mb: federation.rss() }), Math.min(5_000, o.seconds * 40));
    const total = Math.round(o.seconds * o.rate);
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / o.rate;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const elapsed = (Date.now() - started) / 1000;
      while (schedule[0] && elapsed >= schedule[0].at) {
        const { what, run } = schedule.shift()!;
        say(`${elapsed.toFixed(0)} s: ${what}`);
        const fault = runFault(federation, what, run, faults, say);
        // A process that does not come back ends the soak once the requests already sent are answered (below);
        // until then its failure is held here rather than left unhandled, which would end the soak at once.
        fault.catch(() => undefined);
        faultRuns.push(fault);
      }
      if (inFlight >= o.concurrency) {
        skipped++;
        continue;
      }
      const task = send(workload.next()).catch((error: unknown) => say(`request failed in the client: ${String(error)}`));
      pending.push(task);
      if (pending.length > 1000) await Promise.all(pending.splice(0, 500));
    }
    await Promise.all(faultRuns);
    await Promise.all(pending);
    clearInterval(sampler);
    samples.push({ t: (Date.now() - started) / 1000, mb: federation.rss() });
    rss.push(...troughs(samples, warm, (Date.now() - started) / 1000));
    const ended = Date.now();
    say(`workload done: ${outcomes.length} requests, ${ledger.length} with data; checking`);
    const checks = await checkSoak({
      federation,
      ledger,
      outcomes,
      faults,
      received,
      sent,
      rss,
      started,
      warm,
      judgeMemory: o.seconds >= MEMORY_JUDGED_FROM_SECONDS,
    });
    return { options: o, started, ended, requests: outcomes.length, skipped, byAction, faults, ledger, outcomes, rss, checks };
  } finally {
    // Whatever ended the soak, none of its processes outlives it.
    await federation.kill();
    await federation.dropDatabases().catch(() => undefined);
  }
}

/**
 * Each process's lowest resident memory in ten windows of equal length (at least 10 s) from the end of the
 * warm-up to the end: the first window and the last are what the check compares. A process's memory rises and
 * falls with its garbage; what it keeps shows in its lows. The last window ends at the last sample, so that it is
 * never a sliver holding one sample (a sample, not a low).
 */
export function troughs(samples: { t: number; mb: Record<string, number | null> }[], warm: number, end: number) {
  const count = Math.max(1, Math.min(10, Math.floor((end - warm) / 10)));
  const span = (end - warm) / count;
  const windows: { at: string; mb: Record<string, number | null> }[] = [];
  for (let i = 0; i < count; i++) {
    const from = warm + i * span;
    const to = i === count - 1 ? end : warm + (i + 1) * span;
    const inside = samples.filter((s) => s.t >= from && (i === count - 1 ? s.t <= to + 0.001 : s.t < to));
    if (inside.length === 0) continue;
    const names = Object.keys(inside[0]!.mb);
    const mb = Object.fromEntries(
      names.map((name) => {
        const values = inside.map((s) => s.mb[name]).filter((v): v is number => typeof v === 'number');
        return [name, values.length ? Math.min(...values) : null];
      }),
    );
    windows.push({ at: `${from.toFixed(0)}–${to.toFixed(0)} s`, mb });
  }
  return windows;
}

/** When each fault comes: the agency killed at 30 % of the run, the gateway restarted at 50 %, Redis at 70 %. */
function faultSchedule(o: { seconds: number; redis: boolean; kill: string }) {
  const list: { at: number; what: string; run: (f: SoakFederation) => Promise<void> }[] = [
    { at: o.seconds * 0.3, what: `${o.kill} killed (SIGKILL) and restarted`, run: (f) => f.killAndRestart(o.kill) },
    { at: o.seconds * 0.5, what: 'gateway restarted (SIGTERM)', run: (f) => f.restart('gateway') },
  ];
  if (o.redis) list.push({ at: o.seconds * 0.7, what: 'Redis restarted', run: (f) => f.restart('redis') });
  return list;
}

async function runFault(federation: SoakFederation, what: string, run: (f: SoakFederation) => Promise<void>, faults: Fault[], say: (line: string) => void) {
  const from = Date.now();
  await run(federation);
  faults.push({ what, from, to: Date.now() });
  say(`${what}: back after ${((Date.now() - from) / 1000).toFixed(1)} s`);
}

async function post(
  federation: SoakFederation,
  request: Request,
): Promise<{ outcome: Outcome; body: { data?: Data | null; errors?: { extensions?: { code?: string } }[] } | null }> {
  const at = Date.now();
  try {
    const response = await fetch(federation.gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${federation.tokens[colleague(request.persona, request.colleague ?? 0)]}`,
        'x-purpose-of-use': request.purpose,
        ...(request.breakGlass ? { 'x-break-glass': request.breakGlass } : {}),
      },
      body: JSON.stringify({ query: request.query, variables: request.variables ?? {} }),
      signal: AbortSignal.timeout(60_000),
    });
    const body = (await response.json().catch(() => null)) as { data?: Data | null; errors?: { extensions?: { code?: string } }[] } | null;
    const errors = body?.errors ?? [];
    return {
      outcome: {
        action: request.action,
        at,
        status: response.status,
        traceId: response.headers.get('x-trace-id'),
        codes: errors.map((e) => e.extensions?.code).filter((c): c is string => typeof c === 'string'),
        uncoded: errors.filter((e) => typeof e.extensions?.code !== 'string').length + (body ? 0 : 1),
      },
      body,
    };
  } catch {
    return { outcome: { action: request.action, at, status: 0, codes: [], uncoded: 0, traceId: null }, body: null };
  }
}

function collectSent(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) for (const item of value) collectSent(item, into);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) collectSent(item, into);
}
