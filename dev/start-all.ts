import { loadGatewayConfig, startGateway } from '../gateway';
import { createLogger, loadSubgraphConfig, runUntilSignal, startAgency, type RunningAgency } from '../shared';
import { agencies } from './agencies';

/**
 * `npm start`: all five subgraphs and the gateway in one process, each agency
 * on its own embedded database (or PostgreSQL where `<AGENCY>_DATABASE_URL` is
 * set), seeded when empty.
 */
async function startAll() {
  const started = Date.now();
  const env = { SEED_IF_EMPTY: 'true', AUTH_TRUST_DEV_KEY: 'true', ...process.env };
  const running: RunningAgency[] = [];
  try {
    for (const { definition, seed } of agencies) {
      running.push(await startAgency(definition, loadSubgraphConfig(definition.name, definition.defaultPort, env), { seed }));
    }
    const gatewayConfig = loadGatewayConfig(env);
    const gateway = await startGateway({ ...gatewayConfig, subgraphs: running.map((r) => ({ name: r.name, url: r.url })) });
    process.stdout.write(banner(gateway.url, Date.now() - started));
    return {
      stop: async () => {
        await gateway.stop();
        for (const r of running) await r.stop();
      },
    };
  } catch (error) {
    for (const r of running) await r.stop().catch(() => undefined);
    throw error;
  }
}

function banner(url: string, ms: number): string {
  const query = '{ child(nhsNumber: \\"9990000018\\") { name { given family } dateOfBirth health { registeredGp { practiceName } } socialCare { status allocatedWorker { name } } housing { matchConfidence tenancy { address type } } education { school { name } attendanceRate } } }';
  return `
Child view gateway ready at ${url} (started in ${(ms / 1000).toFixed(1)} s)

Try, as the demo social worker sw.jones (personas: npm run token -- <persona>):
  TOKEN=$(npm run -s token -- sw.jones)
  curl -s ${url} -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" -H 'x-purpose-of-use: safeguarding' \\
    -d '{"query":"${query}"}'

`;
}

runUntilSignal(startAll, createLogger('start'));
