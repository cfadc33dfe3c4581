import { randomBytes } from 'node:crypto';
import { personas, signPersonaToken } from '../dev/personas';
import { createGatewayClient, documentHash, listenWeb, WEB_CLIENT_NAME, type TypedDocumentString } from '../web';
import { startFederation } from '../test/start-federation';
import { percentile } from './stats';

/**
 * A web page's server time against the one gateway query it makes, one request at a time, alternating: the
 * federation and the web app in this process, sw.jones signed in for safeguarding as a practitioner would
 * (the sign-in and purpose forms, with their CSRF tokens). `check` sees each answer's text, so that a figure
 * never comes from an answer smaller than the one meant. Prints p50 and p95 of each and their ratio.
 */
export async function comparePageWithQuery(options: {
  label: string;
  rounds: number;
  warmUp: number;
  federation?: Parameters<typeof startFederation>[0];
  path: string;
  /** The operation the page runs, sent by its hash as the page sends it. */
  document: TypedDocumentString<unknown, never>;
  variables?: Record<string, unknown>;
  check?: (text: string) => void;
}): Promise<void> {
  const federation = await startFederation(options.federation);
  const web = await listenWeb(
    {
      gateway: createGatewayClient({ url: federation.gatewayUrl }),
      signIn: { mode: 'development', personas, token: (p) => signPersonaToken(p, federation.keys.personas.privateJwk) },
      sessionSecret: randomBytes(32),
      development: true,
    },
    0,
  );
  try {
    const first = await fetch(`${web.url}/sign-in`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await first.text())![1]!;
    let cookie = first.headers.getSetCookie().at(-1)!.split(';')[0]!;
    const form = (path: string, body: string) =>
      fetch(`${web.url}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body });
    cookie = (await form('/sign-in', `_csrf=${csrf}&persona=sw.jones`)).headers.getSetCookie().at(-1)!.split(';')[0]!;
    const renewed = /name="_csrf" value="([^"]+)"/.exec(await (await fetch(`${web.url}/purpose`, { headers: { cookie } })).text())![1]!;
    await form('/purpose', `_csrf=${renewed}&purpose=safeguarding`);
    const headers = await federation.authHeaders({ persona: 'sw.jones', purpose: 'safeguarding' });
    const timed = async (run: () => Promise<Response>) => {
      const started = performance.now();
      const response = await run();
      const text = await response.text();
      if (response.status !== 200) throw new Error(`answered ${response.status}`);
      options.check?.(text);
      return performance.now() - started;
    };
    const page = () => fetch(`${web.url}${options.path}`, { headers: { cookie } });
    const query = () =>
      fetch(federation.gatewayUrl, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'apollographql-client-name': WEB_CLIENT_NAME },
        body: JSON.stringify({
          variables: options.variables ?? {},
          extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(options.document) } },
        }),
      });
    for (let i = 0; i < options.warmUp; i++) {
      await timed(query);
      await timed(page);
    }
    const pages: number[] = [];
    const queries: number[] = [];
    for (let i = 0; i < options.rounds; i++) {
      queries.push(await timed(query));
      pages.push(await timed(page));
    }
    const p50 = { page: percentile(pages, 50), query: percentile(queries, 50) };
    process.stdout.write(
      `${options.label}, ${options.rounds} rounds: page p50 ${p50.page.toFixed(1)} ms (p95 ${percentile(pages, 95).toFixed(1)}), ` +
        `gateway query p50 ${p50.query.toFixed(1)} ms (p95 ${percentile(queries, 95).toFixed(1)}); page/query ${(p50.page / p50.query).toFixed(2)}×\n`,
    );
  } finally {
    await web.stop();
    await federation.stop();
  }
}

export function runBench(run: () => Promise<void>): void {
  run().catch((error: Error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  });
}
