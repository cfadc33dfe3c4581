import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
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

export interface Service {
  name: string;
  child: ChildProcess;
  lines: string[];
  exit: Promise<number | null>;
}

/**
 * The Node flags every service of the reference deployment runs with (docker-compose.yml and the Dockerfile say the
 * same; a test holds them to it). V8 starts a process's young generation at 1 MB and doubles it, up to 16 MB, as
 * the process allocates under load, so a service's resident memory rose by about 30 MB over its first minutes of
 * work and only then levelled off: that looked like a leak to anyone watching, and a memory limit set from the first
 * minutes was too low. Started at its full size, the young generation is what the service will need from the start.
 */
export const SERVICE_NODE_FLAGS = ['--min-semi-space-size=16'] as const;

/** Starts `entry` (a TypeScript file of this repository) with `env` added to this process's environment, as deployed. */
export function start(name: string, entry: string, env: Record<string, string>, args: string[] = []): Service {
  // SOAK_NODE_FLAGS adds Node's own flags to every service (`--trace-gc`, to see whether memory that grows is live).
  const flags = process.env.SOAK_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? [];
  return startCommand(name, process.execPath, [...SERVICE_NODE_FLAGS, ...flags, '--import', 'tsx', entry, ...args], env);
}

/** Starts any command, keeping the last lines it printed (for the message when it fails). */
export function startCommand(name: string, command: string, args: string[], env: Record<string, string> = {}): Service {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    if (lines.length > 2000) lines.splice(0, lines.length - 1000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  // SOAK_LOG_DIR keeps everything each process printed, for looking into a run afterwards.
  if (process.env.SOAK_LOG_DIR) {
    const file = createWriteStream(join(process.env.SOAK_LOG_DIR, `${name}.log`), { flags: 'a' });
    child.stdout.pipe(file, { end: false });
    child.stderr.pipe(file, { end: false });
    child.once('exit', () => setTimeout(() => file.end(), 100));
  }
  return { name, child, lines, exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

export async function waitForHealth(url: string, service: Service, seconds = 90): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited: ${service.lines.join('\n')}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
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
