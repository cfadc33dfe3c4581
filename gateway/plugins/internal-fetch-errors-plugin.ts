import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { ErrorCode, type Logger } from '../../shared';

/**
 * The gateway fetches fields the client never asked for, to satisfy an agency's
 * `@requires` (housing needs the child's address to match on). When an agency
 * denies such a field (a restricted child's address), its FORBIDDEN error names
 * a path outside the client's operation: it is dropped from the response, since
 * it is about the gateway's own fetch, and logged. The field's value was never
 * disclosed: the agency returned null.
 */
export function internalFetchErrorsPlugin<C extends BaseContext>(logger: Logger): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      let original: DocumentNode | undefined;
      return {
        async didResolveOperation(rc) {
          original = rc.document;
        },
        async willSendResponse(rc) {
          const body = rc.response.body;
          if (!original || body.kind !== 'single' || !body.singleResult.errors) return;
          const fragments = new Map(
            original.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
          );
          const operation = original.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION && (!rc.operationName || d.name?.value === rc.operationName));
          if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return;
          const kept = body.singleResult.errors.filter((error) => {
            if (error.extensions?.code !== ErrorCode.FORBIDDEN || !error.path) return true;
            const asked = isAsked(operation.selectionSet, error.path, fragments);
            if (!asked) logger.debug({ path: error.path, policy: error.extensions.policy }, 'dropped a denial on a field only the gateway asked for');
            return asked;
          });
          body.singleResult.errors = kept.length > 0 ? kept : undefined;
        },
      };
    },
  };
}

/** Whether a response path follows fields the client selected (by response key, through fragments; list indexes crossed). */
function isAsked(selectionSet: SelectionSetNode, path: readonly (string | number)[], fragments: Map<string, FragmentDefinitionNode>): boolean {
  const [head, ...rest] = path;
  if (head === undefined) return true;
  if (typeof head === 'number') return isAsked(selectionSet, rest, fragments);
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if ((selection.alias?.value ?? selection.name.value) !== head) continue;
      if (rest.length === 0 || (selection.selectionSet && isAsked(selection.selectionSet, rest, fragments))) return true;
    } else {
      const set = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments.get(selection.name.value)?.selectionSet;
      if (set && isAsked(set, path, fragments)) return true;
    }
  }
  return false;
}
