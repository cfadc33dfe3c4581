import { Kind, type GraphQLError, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { badRequest, ErrorCode, graphqlError, quoteInput } from '../common';

/**
 * Why the operation a request asks to run cannot be run, or null: `operationName` names no operation in
 * the document (or there are several and none is named), or the schema has no root for the operation's
 * type (no graph here serves subscriptions). Without a gateway Apollo Server answers the first itself, as
 * OPERATION_RESOLUTION_FAILURE; @apollo/gateway throws instead, which Apollo Server answers with a 500, and
 * graphql-js (16) validation lets an operation on a missing root type through. Both are a client's
 * mistake: HTTP 400 with a stable code.
 */
export function unservedOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode | undefined,
  operationName: string | null | undefined,
): GraphQLError | null {
  if (!operation) {
    const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
    const message = operationName
      ? `operationName ${quoteInput(operationName)} names no operation in the document`
      : operations > 1
        ? 'The document holds several operations: name the one to run in operationName'
        : 'The document holds no operation to run';
    return graphqlError(ErrorCode.OPERATION_RESOLUTION_FAILURE, message, { http: { status: 400 } });
  }
  if (!schema.getRootType(operation.operation)) {
    return badRequest(`This graph serves no ${operation.operation} operations`);
  }
  return null;
}
