import { parseArgs } from 'node:util';
import { runSoak, type SoakReport } from './run-soak';

const usage = `Usage: npm run soak -- [--minutes 10] [--children 20000] [--rate 6] [--kill socialcare]
A day of a county, shortened: the eight personas' workload against the whole federation as separate processes,
with one agency killed (SIGKILL) and restarted, the gateway restarted and, when REDIS_URL is set, a Redis of the
soak's own restarted; then every accountability invariant is checked against the soak's own ledger.
Each agency on a database of its own on TEST_DATABASE_URL's server when set, else on embedded databases.
Exit 0 when every invariant holds, 1 when one does not.`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string', default: '10' },
      children: { type: 'string', default: '20000' },
      rate: { type: 'string', default: '6' },
      kill: { type: 'string', default: 'socialcare' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const number = (name: 'minutes' | 'children' | 'rate', min: number) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number of at least ${min}; got "${values[name]}"\n${usage}`);
    return value;
  };
  const report = await runSoak({
    seconds: number('minutes', 0.5) * 60,
    children: Math.round(number('children', 100)),
    rate: number('rate', 0.1),
    kill: values.kill,
    databaseUrl: process.env.TEST_DATABASE_URL || undefined,
    redis: Boolean(process.env.REDIS_URL),
    say: (line) => process.stderr.write(`soak: ${line}\n`),
  });
  process.stdout.write(formatReport(report));
  return report.checks.every((c) => c.ok) ? 0 : 1;
}

export function formatReport(report: SoakReport): string {
  const o = report.options;
  const lines = [
    '',
    `Soak: ${(o.seconds / 60).toFixed(1)} min at ${o.rate} req/s, ${o.children.toLocaleString('en-GB')} children, ${o.databaseUrl ? 'PostgreSQL' : 'embedded databases'}${o.redis ? ', Redis' : ''}`,
    `Requests: ${report.requests} (${[...report.byAction].map(([a, n]) => `${a} ${n}`).join(', ')}); skipped with ${o.concurrency} in flight: ${report.skipped}`,
    `Faults: ${report.faults.map((f) => `${f.what} at ${((f.from - report.started) / 1000).toFixed(0)} s, back in ${((f.to - f.from) / 1000).toFixed(1)} s`).join('; ')}`,
    'Resident memory (MB):',
    `| process | ${report.rss.map((s) => s.at).join(' | ')} |`,
    `|---|${report.rss.map(() => '---').join('|')}|`,
    ...Object.keys(report.rss[0]?.mb ?? {}).map((name) => `| ${name} | ${report.rss.map((s) => s.mb[name]?.toFixed(0) ?? '?').join(' | ')} |`),
    '',
    '| invariant | holds | what was found |',
    '|---|---|---|',
    ...report.checks.map((c) => `| ${c.name} | ${c.ok ? 'yes' : '**NO**'} | ${c.detail.replaceAll('|', '/')} |`),
    '',
  ];
  return lines.join('\n');
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: Error) => {
      process.stderr.write(`${error.stack ?? error.message}\n`);
      process.exitCode = 2;
    },
  );
}
