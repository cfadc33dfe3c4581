import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import type { GatewayContext } from '../agency-data-source';
import { badRequest } from '../../shared';

/**
 * Break-glass opens one child's record, as the Summary Care Record's
 * self-claimed relationship does: a declared emergency may only ask for
 * `child(nhsNumber)`, once, and nothing else.
 */
export function breakGlassScopePlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          if (!rc.contextValue.authority.breakGlass) return;
          const operation = rc.operation as OperationDefinitionNode;
          const roots = operation.selectionSet.selections;
          const onlyOneChild = roots.length === 1 && roots[0]!.kind === Kind.FIELD && roots[0]!.name.value === 'child';
          if (!onlyOneChild) throw badRequest("X-Break-Glass opens one child's record at a time: ask only for child(nhsNumber: …)");
        },
      };
    },
  };
}
