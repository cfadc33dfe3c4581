import { randomBytes } from 'node:crypto';
import { personas, signPersonaToken, type PersonaName } from '../dev/personas';
import { operations } from '../web/operations';
import { createGatewayClient, listenWeb } from '../web';
import { startFederation } from '../test/start-federation';

/**
 * `npx tsx bench/web-single-view.ts [rounds]`: the child's single-view page's time against the one
 * gateway query it makes, as sw.jones viewing Amelia, p50 and p95 of each, one request at a time.
 */
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main(rounds: number): Promise<void> {
  const federation = await startFederation();
  const web = await listenWeb({
    gateway: createGatewayClient({ url: federation.gatewayUrl }),
    signIn: { mode: 'development', personas, token: (p) => signPersonaToken(p as PersonaName, federation.keys.personas.privateJwk) },
    sessionSecret: randomBytes(32), development: true,
  }, 0);
  try {
    const first = await fetch(`${web.url}/sign-in`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await first.text())![1]!;
    let cookie = first.headers.getSetCookie().at(-1)!.split(';')[0]!;
    const form = (path: string, body: string) => fetch(`${web.url}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body });
    cookie = (await form('/sign-in', `_csrf=${csrf}&persona=sw.jones`)).headers.getSetCookie().at(-1)!.split(';')[0]!;
    const renewed = /name="_csrf" value="([^"]+)"/.exec(await (await fetch(`${web.url}/purpose`, { headers: { cookie } })).text())![1]!;
    await form('/purpose', `_csrf=${renewed}&purpose=safeguarding`);
    const headers = await federation.authHeaders({ persona: 'sw.jones', purpose: 'safeguarding' });
    const timed = async (run: () => Promise<Response>) => {
      const started = performance.now();
      const response = await run();
      await response.text();
      if (response.status !== 200) throw new Error(`answered ${response.status}`);
      return performance.now() - started;
    };
    const page = () => fetch(`${web.url}/child/9990000018`, { headers: { cookie } });
    const query = () => fetch(federation.gatewayUrl, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query: operations.childView, variables: { nhsNumber: '9990000018' } }) });
    for (let i = 0; i < 10; i++) await Promise.all([timed(page), timed(query)]);
    const pages: number[] = [];
    const queries: number[] = [];
    for (let i = 0; i < rounds; i++) {
      queries.push(await timed(query));
      pages.push(await timed(page));
    }
    const p50 = { page: percentile(pages, 50), query: percentile(queries, 50) };
    process.stdout.write(`single view, ${rounds} rounds: page p50 ${p50.page.toFixed(1)} ms (p95 ${percentile(pages, 95).toFixed(1)}), `
      + `gateway query p50 ${p50.query.toFixed(1)} ms (p95 ${percentile(queries, 95).toFixed(1)}); page/query ${(p50.page / p50.query).toFixed(2)}×\n`);
  } finally {
    await web.stop();
    await federation.stop();
  }
}

main(Number(process.argv[2] ?? 100)).catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
