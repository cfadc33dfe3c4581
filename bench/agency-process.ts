import { loadAgencies } from '../registry';
import { createLogger, loadSubgraphConfig, runUntilSignal, startAgency } from '../shared';

const agencies = loadAgencies();

/**
 * `npx tsx bench/agency-process.ts <agency> on|off`: one agency's subgraph in a process of its own, as its
 * main.ts starts it, with its audit log written (on) or not (off), for bench/audit-cost.ts alone. A deployment
 * has no way to turn the audit off: only this benchmark entry point does.
 */
const [name, audit] = process.argv.slice(2);
const agency = agencies.find((a) => a.definition.name === name);
if (!agency || (audit !== 'on' && audit !== 'off'))
  throw new Error(`usage: bench/agency-process.ts <${agencies.map((a) => a.definition.name).join('|')}> on|off`);
runUntilSignal(
  () => startAgency(agency.definition, loadSubgraphConfig(agency.definition.name, agency.definition.defaultPort), { seed: agency.seed, audit }),
  createLogger(`${name}-bench`),
);
