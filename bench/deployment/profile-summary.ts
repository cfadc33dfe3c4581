import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A V8 CPU profile, as Node's `--cpu-prof` writes it. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where the samples of a window went, by component: milliseconds of CPU per request. */
export interface ProfileSummary {
  /** Per process name (its folder under the profile directory). */
  processes: Record<string, { totalMs: number; components: Record<string, number> }>;
}

const root = join(__dirname, '..', '..');

/**
 * The component a function belongs to: a package (`@apollo/gateway`, `graphql`, `jose`, `pg`), a file of this
 * repository (`gateway/plugins/authorization-plugin.ts`), a part of Node (`node:internal/crypto`), or V8's own
 * (`(garbage collector)`, `(program)`: native code not attributed to a function).
 */
export function componentOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const modules = path.lastIndexOf(`node_modules${sep}`);
  if (modules >= 0) {
    const [first, second] = path.slice(modules + 'node_modules/'.length).split(sep);
    return first!.startsWith('@') ? `${first}/${second}` : first!;
  }
  if (path.startsWith('node:')) return path.split('/').slice(0, 2).join('/');
  if (path.startsWith(root)) return relative(root, path);
  return path;
}

/**
 * Adds up each process's samples taken between `from` and `to` (microseconds of the monotonic clock, which V8's
 * profile timestamps and `process.hrtime` share on Linux) by component, divided by `requests`. `(idle)` is left out.
 */
export function summariseProfiles(dir: string, window: { from: number; to: number }, requests: number): ProfileSummary {
  const processes: ProfileSummary['processes'] = {};
  for (const name of readdirSync(dir)) {
    const files = readdirSync(join(dir, name)).filter((f) => f.endsWith('.cpuprofile'));
    const components: Record<string, number> = {};
    let totalMs = 0;
    for (const file of files) {
      const profile = JSON.parse(readFileSync(join(dir, name, file), 'utf8')) as CpuProfile;
      const componentOfNode = new Map(profile.nodes.map((n) => [n.id, componentOf(n.callFrame.url, n.callFrame.functionName)]));
      let t = profile.startTime;
      for (let i = 0; i < profile.samples.length; i++) {
        const delta = profile.timeDeltas[i] ?? 0;
        t += delta;
        if (t < window.from || t > window.to) continue;
        const component = componentOfNode.get(profile.samples[i]!)!;
        if (component === '(idle)') continue;
        components[component] = (components[component] ?? 0) + delta / 1000 / requests;
        totalMs += delta / 1000 / requests;
      }
    }
    processes[name] = { totalMs, components };
  }
  return { processes };
}

/** The summary as Markdown: for each process (and the subgraphs together), its top components by CPU per request. */
export function renderProfileSummary(title: string, summary: ProfileSummary, top = 12): string {
  const groups: Record<string, { totalMs: number; components: Record<string, number> }> = {};
  for (const [name, p] of Object.entries(summary.processes)) {
    const group = name.startsWith('gateway') ? 'gateway' : 'subgraphs (all agencies)';
    const g = (groups[group] ??= { totalMs: 0, components: {} });
    g.totalMs += p.totalMs;
    for (const [c, ms] of Object.entries(p.components)) g.components[c] = (g.components[c] ?? 0) + ms;
  }
  const lines = [`### ${title}`, ''];
  for (const [group, g] of Object.entries(groups)) {
    lines.push(
      `**${group}**: ${g.totalMs.toFixed(2)} ms of CPU per request (samples on the main thread)`,
      '',
      '| component | ms/request | share |',
      '|---|---|---|',
    );
    for (const [c, ms] of Object.entries(g.components)
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)) {
      lines.push(`| ${c} | ${ms.toFixed(2)} | ${((100 * ms) / g.totalMs).toFixed(1)} % |`);
    }
    lines.push('');
  }
  const agencies = Object.entries(summary.processes).filter(([name]) => !name.startsWith('gateway'));
  lines.push(`Per subgraph (ms/request): ${agencies.map(([name, p]) => `${name} ${p.totalMs.toFixed(2)}`).join(', ')}`, '');
  return lines.join('\n');
}
