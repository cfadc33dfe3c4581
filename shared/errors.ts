import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/**
 * The error codes a caller can act on. Anything else is masked as
 * "Unexpected error." with INTERNAL_SERVER_ERROR outside development.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  AGENCY_UNAVAILABLE: 'AGENCY_UNAVAILABLE',
  AUDIT_UNAVAILABLE: 'AUDIT_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const publicCodes = new Set<string>(Object.values(ErrorCode));

export function badUserInput(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code: ErrorCode.BAD_USER_INPUT } });
}

export function agencyUnavailable(agency: string): GraphQLError {
  return new GraphQLError(`The ${agency} agency's service did not answer; its part of the answer is null.`, {
    extensions: { code: ErrorCode.AGENCY_UNAVAILABLE, agency },
  });
}

/**
 * Apollo Server `formatError`: keeps the message and extensions of errors with a
 * public code, masks the rest, and never lets a stack trace out unless `development`.
 */
export function createErrorFormatter(options: { development: boolean; onMasked?: (error: unknown) => void }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    const isPublic = typeof code === 'string' && publicCodes.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR;
    if (options.development) return formatted;
    if (isPublic) {
      const { stacktrace: _stack, exception: _exception, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    options.onMasked?.(error);
    // The gateway marks errors from a subgraph with its serviceName: which agency failed is safe to say.
    const agency = formatted.extensions?.serviceName;
    return {
      message: 'Unexpected error.',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(typeof agency === 'string' ? { agency } : {}) },
    };
  };
}
