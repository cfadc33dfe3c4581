import type { ApolloServerPlugin } from '@apollo/server';
import { RELATED_CHILDREN_EXTENSION, type RelatedContext } from '../related-children';

/** Puts the children noted in `context.related` into the response's extensions, for the gateway. */
export function relatedChildrenPlugin<C extends RelatedContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (contextValue.related.size === 0 || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, [RELATED_CHILDREN_EXTENSION]: [...contextValue.related] };
        },
      };
    },
  };
}
