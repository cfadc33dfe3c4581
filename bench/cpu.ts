import { readFileSync, readdirSync } from 'node:fs';

/**
 * CPU time spent while a load runs, read from Linux's /proc: the bench
 * process's main thread (where the gateway and every subgraph run, so the
 * thread whose saturation bounds throughput), the whole process (autocannon's
 * worker thread and the garbage collector's threads too), and every local
 * PostgreSQL server process. Divided by the requests served, it gives each
 * request's cost in CPU milliseconds (PostgreSQL's limited to the processes working for the databases named,
 * when they are, so that other work on a shared server is left out): what a change adds or saves, read
 * beside the throughput, which a shared machine's other work moves further.
 */
export interface CpuSnapshot {
  mainMs: number;
  processMs: number;
  /** Per PostgreSQL process id: backends come and go, so a difference counts only what each did in between. */
  postgres: Map<string, number>;
  /** The PostgreSQL processes among them that are autovacuum workers (the rest serve connections). */
  autovacuum: Set<string>;
}

export interface CpuPerRequest {
  mainMs: number;
  processMs: number;
  /** CPU of the local PostgreSQL server. With embedded PGlite the agencies' databases run on the main thread, and this counts only what else the server did. */
  postgresMs: number;
}

// utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 10 ms (USER_HZ on Linux).
const TICK_MS = 10;
function cpuMsOf(statPath: string): number | null {
  try {
    const stat = readFileSync(statPath, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

/** The CPU one process (all its threads) has used so far, in ms; null where /proc cannot be read. */
export function processCpuMs(pid: number): number | null {
  return cpuMsOf(`/proc/${pid}/stat`);
}

/** The words of a PostgreSQL process's title ("postgres: user database 127.0.0.1(5432) idle"), where its database is named. */
function databasesOf(pid: string): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').split(/\s+/);
  } catch {
    return [];
  }
}

/** Where /proc cannot be read (not Linux), `null`: the bench then reports throughput alone. */
export function cpuSnapshot(databases?: readonly string[]): CpuSnapshot | null {
  const mainMs = cpuMsOf(`/proc/self/task/${process.pid}/stat`);
  if (mainMs === null) return null;
  const usage = process.cpuUsage();
  const postgres = new Map<string, number>();
  const autovacuum = new Set<string>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let name: string;
    try {
      name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (name !== 'postgres') continue;
    // Only the server processes working for these databases (their backends and autovacuum workers name them), when given.
    const words = databasesOf(pid);
    if (databases && !words.some((d) => databases.includes(d))) continue;
    const ms = cpuMsOf(`/proc/${pid}/stat`);
    if (ms === null) continue;
    postgres.set(pid, ms);
    if (words.includes('autovacuum')) autovacuum.add(pid);
  }
  return { mainMs, processMs: (usage.user + usage.system) / 1000, postgres, autovacuum };
}

export function cpuPerRequest(before: CpuSnapshot, after: CpuSnapshot, requests: number): CpuPerRequest {
  let postgresMs = 0;
  for (const [pid, ms] of after.postgres) postgresMs += ms - (before.postgres.get(pid) ?? 0);
  const per = (ms: number) => (requests > 0 ? ms / requests : 0);
  return { mainMs: per(after.mainMs - before.mainMs), processMs: per(after.processMs - before.processMs), postgresMs: per(postgresMs) };
}
