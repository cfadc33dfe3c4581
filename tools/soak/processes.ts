import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Runs a service as its own process, as a deployment does, and waits for it. */
const root = join(__dirname, '..', '..');

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Service { name: string; child: ChildProcess; lines: string[]; exit: Promise<number | null> }

/** Starts `entry` (a TypeScript file of this repository) with `env` added to this process's environment. */
export function start(name: string, entry: string, env: Record<string, string>, args: string[] = []): Service {
  return startCommand(name, process.execPath, ['--import', 'tsx', entry, ...args], env);
}

/** Starts any command, keeping the last lines it printed (for the message when it fails). */
export function startCommand(name: string, command: string, args: string[], env: Record<string, string> = {}): Service {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    if (lines.length > 2000) lines.splice(0, lines.length - 1000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { name, child, lines, exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

export async function waitForHealth(url: string, service: Service, seconds = 90): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited: ${service.lines.join('\n')}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${service.name} did not become healthy: ${service.lines.join('\n')}`);
}

/** The resident memory of a running process, in MB, from /proc (Linux); null where it cannot be read. */
export function residentMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return rss ? Number(rss[1]) / 1024 : null;
  } catch {
    return null;
  }
}
