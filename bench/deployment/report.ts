import { median } from '../stats';

/** The four federations the deployment bench runs side by side. */
export const TARGETS = [
  { id: 'product', label: 'product (everything on)', colour: '#1d70b8' },
  { id: 'bare', label: 'bare Apollo federation', colour: '#505a5f' },
  { id: 'hive', label: 'Hive Gateway over bare subgraphs', colour: '#f47738' },
  { id: 'gateway', label: 'our gateway over bare subgraphs', colour: '#00703c' },
] as const;
export type TargetId = (typeof TARGETS)[number]['id'];

export interface LoadedRun {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  gatewayCpuMs: number;
  subgraphsCpuMs: number;
  /** Null with embedded databases, whose work is in the subgraph processes. */
  postgresCpuMs: number | null;
}

export interface Report {
  settings: { runs: number; duration: number; connections: number; children: number; requests: number; database: 'postgres' | 'embedded' };
  scenarios: { id: string; name: string }[];
  targets: TargetId[];
  /** Per scenario and target: the errors of one request, whether its data is the first target's, and its size. */
  answers: Record<string, Partial<Record<TargetId, { errors: string[]; sameData: boolean; bytes: number }>>>;
  /** Per scenario and target: each run under load. */
  loaded: Record<string, Partial<Record<TargetId, LoadedRun[]>>>;
  /** Per scenario and target: one request at a time. */
  single: Record<string, Partial<Record<TargetId, { p50: number; p90: number }>>>;
  /** Per scenario: the product's subgraph calls, each timed alone, and the slowest of each step of the plan. */
  criticalPath: Record<
    string,
    { calls: { subgraph: string; step: number; p50: number }[]; path: { subgraph: string; step: number; p50: number }[]; pathMs: number }
  >;
}

const labelOf = (id: TargetId) => TARGETS.find((t) => t.id === id)!.label;
const fixed = (n: number | null | undefined, digits = 2) => (n === null || n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits));

/** The median of one measure over a target's runs. */
export function medianOf(report: Report, scenario: string, target: TargetId, measure: keyof LoadedRun): number | null {
  const runs = report.loaded[scenario]?.[target];
  if (!runs || runs.length === 0) return null;
  const values = runs.map((r) => r[measure]);
  return values.some((v) => v === null) ? null : median(values as number[]);
}

/** The ratios the targets of issue 22 name, where both sides were measured. */
export function ratios(report: Report): { name: string; scenario: string; value: number | null; target: string }[] {
  // Throughput with errors under load (refusals, failures) is not comparable: such a ratio is left out.
  const erred = (s: string, t: TargetId) => (report.loaded[s]?.[t] ?? []).some((r) => r.errors > 0);
  const rps = (s: string, t: TargetId) => (erred(s, t) ? null : medianOf(report, s, t, 'rps'));
  const div = (a: number | null | undefined, b: number | null | undefined) => (a && b ? a / b : null);
  const out: { name: string; scenario: string; value: number | null; target: string }[] = [];
  for (const { id } of report.scenarios) {
    out.push({
      name: 'throughput, product / bare',
      scenario: id,
      value: div(rps(id, 'product'), rps(id, 'bare')),
      target: id === 'full' || id === 'caseload' ? '≥ 0.85' : '',
    });
    out.push({
      name: 'throughput, our gateway / Hive Gateway (both over bare subgraphs)',
      scenario: id,
      value: div(rps(id, 'gateway'), rps(id, 'hive')),
      target: id === 'full' ? '≥ 1.0' : '',
    });
    out.push({ name: 'throughput, Hive Gateway / bare', scenario: id, value: div(rps(id, 'hive'), rps(id, 'bare')), target: '' });
    out.push({
      name: 'one request alone, product / bare (p50)',
      scenario: id,
      value: div(report.single[id]?.product?.p50, report.single[id]?.bare?.p50),
      target: id === 'full' ? '≤ 1.3' : '',
    });
    const path = report.criticalPath[id];
    if (path)
      out.push({
        name: 'one request alone, product p50 / its critical path of subgraph calls',
        scenario: id,
        value: div(report.single[id]?.product?.p50, path.pathMs),
        target: id === 'full' ? '≤ 1.25' : '',
      });
  }
  return out;
}

/** The results as Markdown: a table per scenario, the ratios, and the critical paths. */
export function renderTable(report: Report): string {
  const s = report.settings;
  const lines = [
    `Deployment bench: every service its own process, ${s.database === 'postgres' ? 'PostgreSQL (one database per agency)' : 'embedded databases'}, ${s.children} children, as sw.jones (safeguarding).`,
    `Under load: ${s.connections} connections, medians of ${s.runs} runs of ${s.duration} s, the order turning each run. One at a time: p50 of ${s.requests} requests each, the four in turn.`,
    `CPU in ms per request (processes' user + system time; PostgreSQL: the server processes of these databases).`,
    '',
  ];
  for (const { id, name } of report.scenarios) {
    lines.push(
      `#### ${name}`,
      '',
      '| federation | req/s | p50 ms | p99 ms | alone p50 ms | CPU gateway | CPU subgraphs | CPU PostgreSQL | CPU all | errors | same data as bare |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const t of report.targets) {
      const m = (k: keyof LoadedRun) => medianOf(report, id, t, k);
      const all = (m('gatewayCpuMs') ?? 0) + (m('subgraphsCpuMs') ?? 0) + (m('postgresCpuMs') ?? 0);
      const errors = (report.loaded[id]?.[t] ?? []).reduce((a, r) => a + r.errors, 0) + (report.answers[id]?.[t]?.errors.length ?? 0);
      lines.push(
        `| ${labelOf(t)} | ${fixed(m('rps'), 1)} | ${fixed(m('p50'), 0)} | ${fixed(m('p99'), 0)} | ${fixed(report.single[id]?.[t]?.p50)} | ${fixed(m('gatewayCpuMs'))} | ${fixed(m('subgraphsCpuMs'))} | ${fixed(m('postgresCpuMs'))} | ${fixed(all)} | ${errors} | ${report.answers[id]?.[t]?.sameData ? 'yes' : 'no'} |`,
      );
    }
    lines.push('');
  }
  lines.push(
    '#### Ratios',
    '',
    'A ratio is left out (–) where a side was not measured or answered errors under load.',
    '',
    '| ratio | scenario | value | target |',
    '|---|---|---|---|',
  );
  for (const r of ratios(report)) lines.push(`| ${r.name} | ${r.scenario} | ${fixed(r.value, 3)} | ${r.target} |`);
  lines.push('');
  for (const [id, path] of Object.entries(report.criticalPath)) {
    lines.push(
      `Critical path of the product's ${id} (each subgraph call alone, p50 ms): ${path.calls.map((c) => `${c.subgraph} ${fixed(c.p50)} (step ${c.step + 1})`).join(', ')}; slowest per step: ${path.path.map((c) => c.subgraph).join(' then ')} = ${fixed(path.pathMs)} ms.`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/**
 * A bar chart (SVG) of throughput relative to the bare Apollo federation, one group of bars per scenario, each bar
 * labelled with its requests a second: what the table says, at a glance.
 */
export function renderChart(report: Report): string {
  const barHeight = 18;
  const gap = 4;
  const groupGap = 26;
  const left = 170;
  const width = 900;
  const plotWidth = width - left - 250;
  const groups = report.scenarios.map(({ id, name }) => ({
    name,
    bars: report.targets.map((t) => ({
      t,
      rps: medianOf(report, id, t, 'rps') ?? 0,
      ratio: (medianOf(report, id, t, 'rps') ?? 0) / (medianOf(report, id, 'bare', 'rps') ?? 1),
      erred: (report.loaded[id]?.[t] ?? []).some((r) => r.errors > 0),
    })),
  }));
  const max = Math.max(1.2, ...groups.flatMap((g) => g.bars.map((b) => b.ratio)));
  const x = (ratio: number) => left + (ratio / max) * plotWidth;
  const legendHeight = 24 * Math.ceil(report.targets.length / 2);
  let y = 50 + legendHeight;
  const parts: string[] = [];
  for (const g of groups) {
    const top = y;
    for (const b of g.bars) {
      const colour = TARGETS.find((t) => t.id === b.t)!.colour;
      parts.push(`<rect x="${left}" y="${y}" width="${Math.max(0, x(b.ratio) - left).toFixed(1)}" height="${barHeight}" fill="${colour}"/>`);
      parts.push(
        `<text x="${(x(b.ratio) + 6).toFixed(1)}" y="${y + 13}" font-size="12">${b.ratio.toFixed(2)}× (${b.rps.toFixed(1)} req/s)${b.erred ? ', errors under load: not comparable' : ''}</text>`,
      );
      y += barHeight + gap;
    }
    parts.push(`<text x="${left - 10}" y="${(top + y - gap) / 2 + 4}" font-size="13" text-anchor="end" font-weight="bold">${escape(g.name)}</text>`);
    y += groupGap;
  }
  const height = y + 20;
  const axis = [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3].filter((v) => v <= max);
  const grid = axis.map(
    (v) =>
      `<line x1="${x(v).toFixed(1)}" y1="${40 + legendHeight}" x2="${x(v).toFixed(1)}" y2="${y - groupGap + 4}" stroke="${v === 1 ? '#0b0c0c' : '#d8d8d8'}" stroke-width="1"/><text x="${x(v).toFixed(1)}" y="${y - groupGap + 18}" font-size="11" text-anchor="middle">${v}</text>`,
  );
  const legend = report.targets.map((t, i) => {
    const lx = 20 + (i % 2) * 360;
    const ly = 34 + Math.floor(i / 2) * 24;
    return `<rect x="${lx}" y="${ly - 11}" width="14" height="14" fill="${TARGETS.find((x) => x.id === t)!.colour}"/><text x="${lx + 20}" y="${ly}" font-size="13">${escape(labelOf(t))}</text>`;
  });
  const s = report.settings;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Arial, sans-serif" role="img" aria-labelledby="title">
<title id="title">Throughput relative to a bare Apollo federation, per scenario (medians of ${s.runs} runs, ${s.connections} connections, ${s.database === 'postgres' ? 'PostgreSQL' : 'embedded databases'})</title>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="20" y="18" font-size="15" font-weight="bold">Throughput relative to a bare Apollo federation (1.0 = bare), each service its own process</text>
${legend.join('\n')}
${grid.join('\n')}
${parts.join('\n')}
</svg>
`;
}
