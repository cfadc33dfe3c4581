import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { TrustedDocumentContext } from '../trusted-documents';

/**
 * First of the gateway's plugins: puts the registered document `trustedDocuments().resolve` found in place of the
 * hash, so that everything after it (limits, authorisation, audit, the planner) sees the registered text and
 * nothing the client sent.
 */
export function trustedDocumentsPlugin<C extends BaseContext & TrustedDocumentContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ request, contextValue }) {
      const document = contextValue.trustedDocument;
      if (document === undefined) return;
      request.query = document;
      // Resolved here: Apollo Server's automatic persisted queries never see it.
      if (request.extensions) delete request.extensions.persistedQuery;
    },
  };
}
