import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../agency-data-source';

/** The response header that names the request's trace id. */
export const TRACE_ID_HEADER = 'x-trace-id';

/**
 * Tells the client the trace id its request was given, the same one every
 * agency's audit row for it carries: a practitioner can quote it, and a client
 * can hold its own record of what it received against the agencies' logs.
 */
export function traceIdHeaderPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      return {
        async willSendResponse({ response }) {
          const traceId = contextValue.authority?.traceId;
          if (traceId) response.http.headers.set(TRACE_ID_HEADER, traceId);
        },
      };
    },
  };
}
