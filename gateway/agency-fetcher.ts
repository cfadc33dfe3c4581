import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { request, type Dispatcher } from 'undici';

type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherResponse = Awaited<ReturnType<Fetcher>>;

/**
 * How the gateway calls its agencies: undici's `request` over one keep-alive pool per agency (an `Agent` the
 * gateway closes when it stops), in place of the WHATWG `fetch` Apollo's data source would use. The same HTTP,
 * without a Request, a Response and their web streams built for every call: about a fifth of the gateway's CPU
 * for a full view (docs/benchmarks.md). Each call is cancelled when `timeoutMs` passes or `signal(init)` (the
 * request's deadline) aborts, whichever is first; its body is always read whole, so its connection is reused.
 */
export function createAgencyFetcher(options: {
  agent: Dispatcher;
  timeoutMs: number;
  signal: (init?: { headers?: Record<string, string> }) => AbortSignal | undefined;
}): Fetcher {
  return async (url, init) => {
    const deadline = options.signal(init);
    const controller = new AbortController();
    const abort = () => controller.abort(deadline?.reason);
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    deadline?.addEventListener('abort', abort, { once: true });
    try {
      if (deadline?.aborted) abort();
      const response = await request(url, {
        dispatcher: options.agent,
        method: (init?.method ?? 'GET') as 'GET' | 'POST',
        headers: init?.headers,
        body: init?.body as string | undefined,
        signal: controller.signal,
      });
      return agencyResponse(url, response.statusCode, response.headers, await response.body.text());
    } finally {
      clearTimeout(timer);
      deadline?.removeEventListener('abort', abort);
    }
  };
}

/** The part of a fetch Response that Apollo's data source reads: status, headers, and the body as text or JSON. */
function agencyResponse(url: string, status: number, headers: Record<string, string | string[] | undefined>, text: string): FetcherResponse {
  const all = new Headers();
  for (const [name, value] of Object.entries(headers)) for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) all.append(name, v);
  const response: FetcherResponse = {
    url,
    status,
    ok: status >= 200 && status < 300,
    statusText: '',
    redirected: false,
    bodyUsed: false,
    headers: all,
    text: () => Promise.resolve(text),
    json: () => Promise.resolve(JSON.parse(text)),
    arrayBuffer: () => Promise.resolve(new TextEncoder().encode(text).buffer),
    clone: () => response,
  };
  return response;
}
