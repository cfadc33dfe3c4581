import { GraphQLError, type ASTNode, type GraphQLFormattedError } from 'graphql';

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
  PERSISTED_QUERY_HASH_MISMATCH: 'PERSISTED_QUERY_HASH_MISMATCH',
  RATE_LIMITED: 'RATE_LIMITED',
  DEADLINE_EXCEEDED: 'DEADLINE_EXCEEDED',
  /** A free-form operation where only registered (trusted) documents run: send a registered document's hash. */
  TRUSTED_DOCUMENT_REQUIRED: 'TRUSTED_DOCUMENT_REQUIRED',
  /** A hash that is not in the sending client's trusted-documents manifest. */
  TRUSTED_DOCUMENT_NOT_FOUND: 'TRUSTED_DOCUMENT_NOT_FOUND',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const publicCodes = new Set<string>(Object.values(ErrorCode));

/**
 * What a code's `extensions` carry beside `code`: part of the public contract, as the code is. A code not
 * listed carries nothing else. Keyed by the registry's own constants, so a misspelt code does not compile.
 */
export interface ErrorExtensions {
  /** The argument at fault, and whatever else the check found. */
  [ErrorCode.BAD_USER_INPUT]: Record<string, unknown>;
  /** The request header at fault, where one is. */
  [ErrorCode.BAD_REQUEST]: { header?: string };
  /** The policy that withheld the field and why; `coordinates` when one denial covers several fields. */
  [ErrorCode.FORBIDDEN]: { policy: string; reason: string; coordinates?: string[] };
  [ErrorCode.QUERY_TOO_COMPLEX]: { limit: string; max: number };
  [ErrorCode.RATE_LIMITED]: { limit: string; max: number; retryAfter: number };
  /** The agency that did not answer, or the agencies a merged answer lacks. */
  [ErrorCode.AGENCY_UNAVAILABLE]: { agency: string } | { agencies: string[] };
  [ErrorCode.DEADLINE_EXCEEDED]: { agency: string };
  /** The agency a masked error came from, which is safe to say. */
  [ErrorCode.INTERNAL_SERVER_ERROR]: { agency?: string };
}

/** What a code without a contract above requires: nothing (the same type as `{}`, said plainly). */
type NoExtensions = Record<never, never>;

export type ExtensionsOf<C extends ErrorCode> = C extends keyof ErrorExtensions ? ErrorExtensions[C] : NoExtensions;

/** The HTTP status (and headers) Apollo Server answers with when this error stops the request. Never sent to the client. */
export interface HttpExtension {
  http?: { status: number; headers?: Map<string, string> };
}

/** Where an error thrown for one field is, given when it is built before graphql-js could locate it. */
export interface ErrorLocation {
  nodes?: ASTNode | readonly ASTNode[];
  path?: readonly (string | number)[];
}

// The extensions are required only where the code's contract has a required field.
type Rest<C extends ErrorCode, Extensions, At> =
  NoExtensions extends ExtensionsOf<C> ? [extensions?: ExtensionsOf<C> & Extensions, at?: At] : [extensions: ExtensionsOf<C> & Extensions, at?: At];

/**
 * The one way this project builds a `GraphQLError`: a registered code, a message, and that code's extensions
 * (typed by `ErrorExtensions`), with `http` for the status Apollo Server should answer with. A test
 * (test/unit/errors.test.ts) refuses `new GraphQLError(` and literal codes anywhere else.
 *
 * One typed function rather than one function per code: the codes that carry data are checked by one table
 * (`ErrorExtensions`) instead of eighteen near-identical functions, and a call site names its code as a client
 * reads it (`graphqlError(ErrorCode.DEADLINE_EXCEEDED, …)`). Named helpers (`badUserInput`, `badRequest`,
 * `unauthenticated`, `agencyUnavailable`) exist where one status or message recurs across modules; a refusal
 * whose message is built from one module's knowledge (`queryTooComplex` from the operation limits, `forbidden`
 * from a policy decision) keeps its named builder beside that knowledge, built on this.
 */
export function graphqlError<C extends ErrorCode>(code: C, message: string, ...[extensions, at]: Rest<C, HttpExtension, ErrorLocation>): GraphQLError {
  return new GraphQLError(message, { ...at, extensions: { ...extensions, code } });
}

/**
 * The same error as a response body holds it, for answers built without graphql-js (a refused HTTP request, a
 * result replaced after execution). `path` places it at a field.
 */
export function formattedError<C extends ErrorCode>(
  code: C,
  message: string,
  ...[extensions, path]: Rest<C, unknown, readonly (string | number)[]>
): GraphQLFormattedError & { extensions: ExtensionsOf<C> & { code: C } } {
  return { message, ...(path ? { path } : {}), extensions: { ...(extensions as ExtensionsOf<C>), code } };
}

/** A wrong argument: BAD_USER_INPUT, naming the argument in `extensions`. */
export function badUserInput(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return graphqlError(ErrorCode.BAD_USER_INPUT, message, extensions);
}

/** A request the server will not start on (a header, the operation asked for): BAD_REQUEST, HTTP 400. */
export function badRequest(message: string, extensions: ExtensionsOf<typeof ErrorCode.BAD_REQUEST> = {}): GraphQLError {
  return graphqlError(ErrorCode.BAD_REQUEST, message, { ...extensions, http: { status: 400 } });
}

/** No credentials, or ones that do not verify: UNAUTHENTICATED, HTTP 401. */
export function unauthenticated(message: string): GraphQLError {
  return graphqlError(ErrorCode.UNAUTHENTICATED, message, { http: { status: 401 } });
}

/** An agency that did not answer: AGENCY_UNAVAILABLE naming it; the rest of the answer is still returned. */
export function agencyUnavailable(agency: string): GraphQLError {
  return graphqlError(ErrorCode.AGENCY_UNAVAILABLE, `The ${agency} agency's service did not answer; its part of the answer is null.`, { agency });
}

/** The longest message a client is sent; a quoted value in it longer than QUOTED_MAX is cut to QUOTED_MAX characters. */
const MESSAGE_MAX = 1000;
const QUOTED_MAX = 40;

/**
 * A message as a client may see it: a value graphql-js quotes whole ("Variable "$f" got invalid value "…10 KB…"")
 * is cut, control characters (but line breaks) become `?`, and the whole is at most MESSAGE_MAX characters.
 */
export function boundMessage(message: string): string {
  const cut = message.replace(/"((?:[^"\\]|\\.)*)"/g, (quoted: string, inner: string) =>
    inner.length > QUOTED_MAX ? `"${inner.slice(0, QUOTED_MAX)}…" (${inner.length} characters)` : quoted,
  );
  // eslint-disable-next-line no-control-regex -- it finds control characters in order to replace them
  const clean = cut.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, '?');
  return clean.length > MESSAGE_MAX ? `${clean.slice(0, MESSAGE_MAX)}…` : clean;
}

/**
 * Apollo Server refuses some client mistakes with an HTTP 4xx status but no code (so "INTERNAL_SERVER_ERROR" once
 * it fills one in): a persisted query whose hash is not its query's, an unsupported persisted query version.
 * These are given a code a client can act on; the HTTP status is Apollo's own.
 */
function codeOfClientMistake(error: unknown): { code: ErrorCode; message?: string } | null {
  if (!(error instanceof GraphQLError) || error.extensions.code !== undefined) return null;
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  if (typeof status !== 'number' || status < 400 || status >= 500) return null;
  if (error.message === 'provided sha does not match query') {
    return { code: ErrorCode.PERSISTED_QUERY_HASH_MISMATCH, message: 'extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent with it' };
  }
  return { code: ErrorCode.BAD_REQUEST };
}

/**
 * Apollo Server `formatError`: keeps the message (bounded) and extensions of errors with a
 * public code, masks the rest, and never lets a stack trace out unless `development`.
 */
export function createErrorFormatter(options: { development: boolean; onMasked?: (error: unknown) => void }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // A client's mistake has the same code in development as outside it.
    const mistake = codeOfClientMistake(error);
    if (mistake) {
      return {
        message: boundMessage(mistake.message ?? formatted.message),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: mistake.code },
      };
    }
    if (options.development) return formatted;
    const code = formatted.extensions?.code;
    const isPublic = typeof code === 'string' && publicCodes.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR;
    if (isPublic) {
      const { stacktrace: _stack, exception: _exception, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, message: boundMessage(formatted.message), extensions };
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
