import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ErrorCode, formattedError, type Logger } from '../../common';
import {
  countTokens,
  DEFAULT_OPERATION_LIMITS,
  exceededLimit,
  queryTooComplex,
  refusalMessage,
  type CostModel,
  type LimitExceeded,
  type OperationLimits,
} from '../operation-limits';
import { unservedOperation } from '../served-operation';

export interface OperationLimitsOptions extends CostModel {
  /** @default DEFAULT_OPERATION_LIMITS */
  limits?: OperationLimits;
  /** Told of each refusal, for operators to see which limit clients meet. */
  logger?: Logger;
}

/**
 * Apollo Server's `parseOptions` for these limits, to go with `operationLimitsPlugin`: the parser stops at the
 * token limit, so an over-long document is never parsed whole.
 */
export function operationLimitsParseOptions(limits: OperationLimits = DEFAULT_OPERATION_LIMITS): { maxTokens: number } {
  return { maxTokens: limits.tokens };
}

/**
 * Limits on every operation, before authorisation, planning or any fetch,
 * each refused as QUERY_TOO_COMPLEX naming the limit and its maximum (HTTP
 * 400): the gateway's for its clients' operations, each subgraph's for the
 * gateway's calls. Give Apollo Server `operationLimitsParseOptions` with it.
 *
 * Must be the first plugin: its refusal is thrown before any other plugin's `didResolveOperation` is called.
 * It refuses an operation that cannot be run at all (`unservedOperation`) first.
 */
export function operationLimitsPlugin<C extends BaseContext>(options: OperationLimitsOptions = {}): ApolloServerPlugin<C> {
  const limits = options.limits ?? DEFAULT_OPERATION_LIMITS;
  return {
    async requestDidStart() {
      let tooManyTokens = false;
      return {
        async parsingDidStart(rc) {
          return async (error?: Error) => {
            // The parser's own error says only "Syntax Error": whether it stopped at the limit is counted here.
            if (error && countTokens(rc.source ?? '', limits.tokens) > limits.tokens) tooManyTokens = true;
          };
        },
        // Not `async`: Apollo Server calls every plugin's hook in turn, so a refusal thrown synchronously here,
        // by the first plugin, stops authorisation from filtering the operation and the audit log from recording it.
        didResolveOperation(rc) {
          // An operation that cannot be run (an unknown operationName, a subscription) is refused before it is measured.
          const unserved = unservedOperation(rc.schema, rc.document, rc.operation, rc.request.operationName);
          if (unserved) throw unserved;
          const exceeded = exceededLimit(rc.schema, rc.document, rc.request.variables ?? {}, limits, options);
          if (!exceeded) return Promise.resolve();
          options.logger?.warn({ ...exceeded, operationName: rc.operationName }, 'refused an operation over a limit');
          throw queryTooComplex(exceeded);
        },
        async willSendResponse(rc) {
          if (!tooManyTokens || rc.response.body.kind !== 'single') return;
          const exceeded: LimitExceeded = { limit: 'tokens', max: limits.tokens };
          options.logger?.warn(exceeded, 'refused an operation over a limit');
          // In place of the parser's "Syntax Error" (already HTTP 400), as the other limits answer.
          rc.response.body.singleResult = {
            errors: [formattedError(ErrorCode.QUERY_TOO_COMPLEX, refusalMessage(exceeded), { limit: exceeded.limit, max: exceeded.max })],
          };
        },
      };
    },
  };
}
