import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, OperationTypeNode, valueFromASTUntyped } from 'graphql';
import type { Logger } from '../../shared';
import type { GatewayContext } from '../agency-data-source';
import type { BreakGlassGrants } from '../break-glass-grants';

/**
 * Revokes grants that a privacy officer's review found inappropriate (`reviewBreakGlass` with outcome
 * `INAPPROPRIATE`), once the review is recorded, on every replica sharing the state.
 */
export function breakGlassReviewPlugin(options: { grants: Pick<BreakGlassGrants, 'revoke'>; logger: Logger }): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse(rc) {
          const operation = rc.operation;
          const body = rc.response.body;
          if (operation?.operation !== OperationTypeNode.MUTATION || body.kind !== 'single' || !body.singleResult.data) return;
          for (const selection of operation.selectionSet.selections) {
            if (selection.kind !== Kind.FIELD || selection.name.value !== 'reviewBreakGlass') continue;
            const data = body.singleResult.data[selection.alias?.value ?? selection.name.value];
            const args = Object.fromEntries((selection.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, rc.request.variables ?? {})]));
            if (data && args.outcome === 'INAPPROPRIATE' && typeof args.id === 'string') {
              await options.grants.revoke(args.id);
              options.logger.warn({ grant: args.id }, 'break-glass grant revoked after review');
            }
          }
        },
      };
    },
  };
}
