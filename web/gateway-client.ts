/** One error from the gateway, as a page needs it. */
export interface GraphQLErrorLike {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; policy?: string; reason?: string; agency?: string; agencies?: string[] } & Record<string, unknown>;
}

export interface GatewayResult {
  data: Record<string, unknown> | null;
  errors: GraphQLErrorLike[];
}

/** Who is asking and why: sent with every call. */
export interface Asker {
  token: string;
  purpose: string;
  /** A break-glass justification: declares an emergency (purpose emergency-care) and opens a grant for the child asked about. */
  breakGlass?: string;
}

export interface GatewayClient {
  request(document: string, variables: Record<string, unknown>, asker: Asker, operationName?: string): Promise<GatewayResult>;
}

/** The gateway did not give a GraphQL answer at all (it was down, or refused the request outright). */
export class GatewayUnreachable extends Error {
  override name = 'GatewayUnreachable';
  constructor(message: string, readonly status?: number, readonly code?: string) {
    super(message);
  }
}

/**
 * A plain HTTP client of the gateway: the practitioner's bearer token and purpose of use on every call,
 * nothing privileged of the app's own.
 */
export function createGatewayClient(options: { url: string; timeoutMs?: number; clientName?: string }): GatewayClient {
  return {
    async request(document, variables, asker, operationName) {
      let response: Response;
      try {
        response = await fetch(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${asker.token}`,
            'x-purpose-of-use': asker.purpose,
            'apollographql-client-name': options.clientName ?? 'child-view-web',
            // An RFC 8187 ext-value, so that any text survives the header's latin1 bytes.
            ...(asker.breakGlass ? { 'x-break-glass': `UTF-8''${encodeURIComponent(asker.breakGlass)}` } : {}),
          },
          body: JSON.stringify({ query: document, variables, ...(operationName ? { operationName } : {}) }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
        });
      } catch (error) {
        throw new GatewayUnreachable(`The gateway did not answer: ${(error as Error).message}`);
      }
      const body = (await response.json().catch(() => undefined)) as { data?: Record<string, unknown> | null; errors?: GraphQLErrorLike[] } | undefined;
      if (!body || (body.data === undefined && !body.errors)) throw new GatewayUnreachable(`The gateway answered ${response.status} without a GraphQL result`, response.status);
      if (body.data === undefined || body.data === null) {
        const code = body.errors?.[0]?.extensions?.code;
        throw new GatewayUnreachable(body.errors?.[0]?.message ?? 'The gateway refused the request', response.status, code);
      }
      return { data: body.data, errors: body.errors ?? [] };
    },
  };
}
