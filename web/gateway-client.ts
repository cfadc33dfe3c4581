import type { TypedDocumentString } from './operations/generated/graphql';
import { WEB_CLIENT_NAME } from './operations';

/** One error from the gateway, as a page needs it. */
export interface GraphQLErrorLike {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; policy?: string; reason?: string; agency?: string; agencies?: string[] } & Record<string, unknown>;
}

export interface GatewayResult<T = Record<string, unknown>> {
  data: T | null;
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
  /** Runs one of the web app's registered operations, sent by its hash alone. */
  request<R, V>(document: TypedDocumentString<R, V>, variables: V, asker: Asker): Promise<GatewayResult<R>>;
  /** Runs a free-form operation: the development explorer only (a deployed gateway refuses them). */
  requestText(query: string, variables: Record<string, unknown>, asker: Asker, operationName?: string): Promise<GatewayResult>;
}

/** The gateway did not give a GraphQL answer at all (it was down, or refused the request outright). */
export class GatewayUnreachable extends Error {
  override name = 'GatewayUnreachable';
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The hash a generated document is registered under. */
export function documentHash(document: TypedDocumentString<unknown, never>): string {
  const hash = (document as { __meta__?: { hash?: unknown } }).__meta__?.hash;
  if (typeof hash !== 'string') throw new Error('This document has no registered hash: regenerate the operations with npm run codegen');
  return hash;
}

/**
 * A plain HTTP client of the gateway: the practitioner's bearer token and purpose of use on every call,
 * nothing privileged of the app's own.
 */
export function createGatewayClient(options: { url: string; timeoutMs?: number; clientName?: string }): GatewayClient {
  const post = async (body: Record<string, unknown>, asker: Asker): Promise<GatewayResult> => {
    let response: Response;
    try {
      response = await fetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${asker.token}`,
          'x-purpose-of-use': asker.purpose,
          'apollographql-client-name': options.clientName ?? WEB_CLIENT_NAME,
          // An RFC 8187 ext-value, so that any text survives the header's latin1 bytes.
          ...(asker.breakGlass ? { 'x-break-glass': `UTF-8''${encodeURIComponent(asker.breakGlass)}` } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new GatewayUnreachable(`The gateway did not answer: ${(error as Error).message}`);
    }
    const answer = (await response.json().catch(() => undefined)) as { data?: Record<string, unknown> | null; errors?: GraphQLErrorLike[] } | undefined;
    if (!answer || (answer.data === undefined && !answer.errors))
      throw new GatewayUnreachable(`The gateway answered ${response.status} without a GraphQL result`, response.status);
    if (answer.data === undefined || answer.data === null) {
      const code = answer.errors?.[0]?.extensions?.code;
      throw new GatewayUnreachable(answer.errors?.[0]?.message ?? 'The gateway refused the request', response.status, code);
    }
    return { data: answer.data, errors: answer.errors ?? [] };
  };
  return {
    async request<R, V>(document: TypedDocumentString<R, V>, variables: V, asker: Asker) {
      const body = { variables, extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(document) } } };
      return (await post(body, asker)) as GatewayResult<R>;
    },
    requestText: (query, variables, asker, operationName) => post({ query, variables, ...(operationName ? { operationName } : {}) }, asker),
  };
}
