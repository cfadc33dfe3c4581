import { readFileSync, writeFileSync } from 'node:fs';
import { renderChart, renderTable, type Report } from './report';

/**
 * `npx tsx bench/deployment/render.ts bench/results/deployment-<time>.json [out-prefix]`: the Markdown tables and the
 * chart again from a run's JSON (beside it, or at `out-prefix`.md and .svg), for a run measured before the report changed.
 */
const [json, prefix] = process.argv.slice(2);
if (!json) throw new Error('usage: bench/deployment/render.ts <deployment-….json> [out-prefix]');
const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
const out = prefix ?? json.replace(/\.json$/, '');
writeFileSync(`${out}.md`, renderTable(report));
writeFileSync(`${out}.svg`, renderChart(report));
process.stdout.write(`${renderTable(report)}\nWritten: ${out}.md, ${out}.svg\n`);
