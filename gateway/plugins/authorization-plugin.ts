import type { ApolloServerPlugin } from '@apollo/server';
import { operationAuthorizationPlugin, type AuthorizationMode, type Policies, type PolicyMap } from '../../shared';
import type { GatewayContext } from '../agency-data-source';

/**
 * The gateway's authorisation before planning: the kit's `operationAuthorizationPlugin` deciding every
 * agency's policies for the caller alone, so that nothing the caller may never see is planned or fetched.
 * What it withheld is kept in `context.filtered`, for the gateway's audit log and the rate limits.
 */
export function authorizationPlugin(options: { policyMap: PolicyMap; policies: Policies; mode: AuthorizationMode }): ApolloServerPlugin<GatewayContext> {
  return operationAuthorizationPlugin<GatewayContext>({
    ...options,
    authorityOf: (c) => c.authority,
    onFiltered: (context, denied) => {
      context.filtered = [...denied];
    },
  });
}
