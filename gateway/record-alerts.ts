// The request kinds are not exported from the package's root (pinned at 2.14.4).
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { GraphQLRequestContext } from '@apollo/server';
import type { AgencyDataSource, GatewayContext } from './agency-data-source';
import type { Alert } from './plugins/unusual-access-plugin';

const RECORD_ALERTS = 'mutation RecordAccessAlerts { recordAccessAlerts }';

/**
 * Records a request's unusual-access alerts through an agency's
 * `recordAccessAlerts` (identity's): one more call of the request, after it
 * has run, through that agency's data source (so signed for it alone, with
 * its timeout), its authority carrying the alerts. Throws unless the agency
 * says it recorded them all.
 */
export function createAlertRecorder(options: {
  agency: string;
  /** The agency's data source, once the gateway has built its services. */
  source: () => AgencyDataSource | undefined;
}): (rc: GraphQLRequestContext<GatewayContext>, alerts: Alert[]) => Promise<void> {
  return async (rc, alerts) => {
    const source = options.source();
    if (!source) throw new Error(`the supergraph has no subgraph named ${options.agency} to record alerts with`);
    const response = await source.process({
      kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
      incomingRequestContext: rc as unknown as GatewayGraphQLRequestContext<GatewayContext>, // the same request, as the gateway's executor sees it
      request: { query: RECORD_ALERTS },
      context: { ...rc.contextValue, authority: { ...rc.contextValue.authority, alerts } },
    });
    if (response.data?.recordAccessAlerts === alerts.length) return;
    const error = response.errors?.[0];
    const code = error?.extensions?.code;
    throw new Error(`${options.agency} did not record the alerts${error ? ` (${typeof code === 'string' ? code : ''}: ${error.message})` : ''}`);
  };
}
