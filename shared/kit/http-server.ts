import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { ErrorCode, formattedError } from '../common';

/** The largest request body read, unless `maxBodyBytes` says otherwise for a request. */
export const MAX_BODY_BYTES = 1_000_000;

/** How long a connection may take over each part of a request (docs/limits.md gives each its reason). */
export interface HttpTimeouts {
  /** To send a request's headers, whole. @default 10000 */
  headersMs: number;
  /** To send the whole request, headers and body, however active the connection. @default 20000 */
  requestMs: number;
  /** An idle kept-alive connection is kept: longer than a load balancer's usual 60 s. @default 65000 */
  keepAliveMs: number;
  /** A connection on which nothing moves either way (a client that stops reading its response, too). @default 120000 */
  idleMs: number;
}

export const HTTP_TIMEOUTS: Readonly<HttpTimeouts> = { headersMs: 10_000, requestMs: 20_000, keepAliveMs: 65_000, idleMs: 120_000 };

/** How often Node checks the headers and request timeouts (its default, 30 s, would let a stalled connection stay that much longer). */
const TIMEOUT_CHECK_MS = 1_000;

export interface HttpServiceOptions<C extends BaseContext> {
  port: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Readiness: `GET /health` answers 200 when this resolves true, 503 otherwise. */
  ready: () => Promise<boolean>;
  /** The largest body to read for this request, decided from its headers before any of it is read. @default MAX_BODY_BYTES */
  maxBodyBytes?: (request: IncomingMessage) => Promise<number>;
  /**
   * Builds the request's context; a thrown GraphQLError becomes the response. `finished` resolves once
   * the request has been handled and its response is done with (sent, or its connection gone).
   */
  context: (request: IncomingMessage, body: unknown, finished: Promise<void>) => Promise<C>;
  /** @default HTTP_TIMEOUTS, each one given replacing its default */
  timeouts?: Partial<HttpTimeouts>;
}

export interface HttpService {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4001/graphql */
  url: string;
  port: number;
  server: Server;
  /**
   * Stops taking connections, lets the requests being served finish (for up
   * to `graceMs`, then cuts them off), and resolves once every connection is
   * closed. A request whose client has gone away is still let finish: what it
   * started (an agency's audit row, a call to an agency) is completed, not
   * cut off halfway. @default graceMs 10000
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** How long `close` lets the requests being served finish. */
export const CLOSE_GRACE_MS = 10_000;

/** Serves an Apollo Server at `POST /graphql` and its readiness at `GET /health` on Node's own HTTP server. */
export async function listen<C extends BaseContext>(apollo: ApolloServer<C>, options: HttpServiceOptions<C>): Promise<HttpService> {
  // Requests being served: each counts until both its handler has finished and its response is done with.
  let serving = 0;
  let closing = false;
  let drained: (() => void) | null = null;
  let closed: Promise<void> | null = null;
  const timeouts = { ...HTTP_TIMEOUTS, ...options.timeouts };
  const server = createServer(
    { headersTimeout: timeouts.headersMs, requestTimeout: timeouts.requestMs, connectionsCheckingInterval: TIMEOUT_CHECK_MS },
    (req, res) => {
      serving++;
      // While closing, a connection is not kept for another request.
      if (closing) res.setHeader('connection', 'close');
      const responded = new Promise<void>((resolve) => res.once('close', resolve));
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const handled = handle(apollo, options, req, res, finished).catch(() => {
        try {
          if (!res.headersSent) send(res, 500, { errors: [formattedError(ErrorCode.INTERNAL_SERVER_ERROR, 'Unexpected error.')] });
          else res.end();
        } catch {
          res.destroy();
        }
      });
      void Promise.all([handled, responded]).then(() => {
        finish();
        serving--;
        if (!closing) return;
        server.closeIdleConnections();
        if (serving === 0) drained?.();
      });
    },
  );
  server.keepAliveTimeout = timeouts.keepAliveMs;
  server.timeout = timeouts.idleMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address === '0.0.0.0' ? '127.0.0.1' : address;
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    server,
    // Closing twice (a SIGINT after a SIGTERM) waits for the one close.
    close: ({ graceMs = CLOSE_GRACE_MS } = {}) =>
      (closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (serving > 0) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([new Promise<void>((resolve) => (drained = resolve)), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
          clearTimeout(timer);
        }
        server.closeAllConnections();
        await stopped;
      })()),
  };
}

async function handle<C extends BaseContext>(
  apollo: ApolloServer<C>,
  options: HttpServiceOptions<C>,
  req: IncomingMessage,
  res: ServerResponse,
  finished: Promise<void>,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/health') {
    const ok = await options.ready().catch(() => false);
    return send(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable' });
  }
  if (url.pathname !== '/graphql') return send(res, 404, { error: `No route for ${url.pathname}; GraphQL is served at /graphql` });
  if (req.method === 'POST' && !isJsonContentType(req.headers['content-type'])) {
    // Refused before the body is read; Node discards what is sent of it, within the request timeout.
    res.setHeader('connection', 'close');
    return send(res, 415, { errors: [formattedError(ErrorCode.BAD_REQUEST, 'A POST to /graphql must be Content-Type: application/json')] });
  }

  const limit = options.maxBodyBytes ? await options.maxBodyBytes(req) : MAX_BODY_BYTES;
  const raw = await readBody(req, limit);
  if (raw === null) return send(res, 413, { errors: [formattedError(ErrorCode.BAD_REQUEST, `Request body exceeds ${limit} bytes`)] });
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  let body: unknown = raw;
  if (req.method === 'POST' && raw.length > 0) {
    try {
      body = JSON.parse(raw);
    } catch {
      return send(res, 400, { errors: [formattedError(ErrorCode.BAD_REQUEST, 'Request body is not valid JSON')] });
    }
  }
  const result = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
    context: () => options.context(req, body, finished),
  });
  for (const [name, value] of result.headers) res.setHeader(name, value);
  res.statusCode = result.status ?? 200;
  if (result.body.kind === 'complete') {
    res.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
}

function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks).toString('utf8')));
    // Also when the request is cut off before its end (the request timeout, the client gone): Node says `aborted`.
    req.on('error', reject);
  });
}

/** `application/json`, with or without parameters (`; charset=utf-8`): the media type whole, in any case. */
function isJsonContentType(value: string | undefined): boolean {
  return value !== undefined && /^application\/json[ \t]*(?:;|$)/i.test(value.trim());
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}
