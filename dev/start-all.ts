import { loadGatewayConfig, startGateway } from '../gateway';
import { createLogger, loadSubgraphConfig, runUntilSignal, startAgency, type RunningAgency } from '../shared';
import { loadWebConfig, startWeb } from '../web';
import { loadAgencies } from '../registry';

/**
 * `npm start`: every agency's subgraph, the gateway and the practitioners' web app in one
 * process, each agency on its own embedded database (or PostgreSQL where
 * `<AGENCY>_DATABASE_URL` is set), seeded when empty. The web app signs in demo
 * personas (development only) unless an identity provider is configured.
 */
async function startAll() {
  const started = Date.now();
  // A development launcher: persona tokens are trusted, and free-form operations run (the explorer, curl) beside registered ones.
  const env = { SEED_IF_EMPTY: 'true', AUTH_TRUST_DEV_KEY: 'true', TRUSTED_DOCUMENTS: 'allow', ...process.env };
  // The web app's settings are checked before anything starts; it signs in demo personas unless told otherwise.
  const webConfig = loadWebConfig({ WEB_SIGN_IN: 'development', NODE_ENV: 'development', ...process.env });
  const running: RunningAgency[] = [];
  let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;
  try {
    for (const { definition, seed } of loadAgencies()) {
      running.push(await startAgency(definition, loadSubgraphConfig(definition.name, definition.defaultPort, env), { seed }));
    }
    const gatewayConfig = loadGatewayConfig(env);
    const explorerUrl = webConfig.development
      ? `http://${webConfig.host.includes(':') ? `[${webConfig.host}]` : webConfig.host}:${webConfig.port}/explorer`
      : undefined;
    const startedGateway = await startGateway({ ...gatewayConfig, subgraphs: running.map((r) => ({ name: r.name, url: r.url })) }, undefined, { explorerUrl });
    gateway = startedGateway;
    const web = await startWeb(webConfig, { gatewayUrl: startedGateway.url });
    process.stdout.write(banner(startedGateway.url, web.url, Date.now() - started));
    return {
      stop: async () => {
        await web.stop();
        await startedGateway.stop();
        for (const r of running) await r.stop();
      },
    };
  } catch (error) {
    await gateway?.stop().catch(() => undefined);
    for (const r of running) await r.stop().catch(() => undefined);
    throw error;
  }
}

function banner(url: string, webUrl: string, ms: number): string {
  const query =
    '{ child(nhsNumber: \\"9990000018\\") { name { given family } dateOfBirth health { registeredGp { practiceName } } socialCare { status allocatedWorker { name } } housing { matchConfidence tenancy { address type } } education { school { name } attendanceRate } } }';
  return `
Child view gateway ready at ${url} (started in ${(ms / 1000).toFixed(1)} s)
Practitioners' web app at ${webUrl} (development sign-in with demo personas)

Try, as the demo social worker sw.jones (personas: npm run token -- <persona>):
  TOKEN=$(npm run -s token -- sw.jones)
  curl -s ${url} -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" -H 'x-purpose-of-use: safeguarding' \\
    -d '{"query":"${query}"}'

`;
}

runUntilSignal(startAll, createLogger('start'));
