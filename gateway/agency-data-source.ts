import { AsyncLocalStorage } from 'node:async_hooks';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import {
  agencyUnavailable,
  AUDIT_HEAD_EXTENSION,
  CONTEXT_HEADER,
  ErrorCode,
  graphqlError,
  RELATED_CHILDREN_EXTENSION,
  type AuditHead,
  type Authority,
  type DeniedPath,
  type Logger,
} from '../shared';

/** What the gateway knows of each request: who is asking and why. */
export interface GatewayContext {
  authority: Authority;
  /** Fields the gateway withheld from this operation before planning, for its audit log. */
  filtered?: DeniedPath[];
  /** Children an agency answering this operation found the caller has a relationship with (for unusual access). */
  related?: Set<string>;
  /** Aborts when the request's deadline passes: every call to an agency still running is cancelled, and none is started. */
  deadline?: AbortSignal;
  /** The registered document this request runs (trusted-documents.ts), found by the hash it sent. */
  trustedDocument?: string;
}

/** Why a request's deadline aborted it. */
class DeadlinePassed extends Error {
  constructor(readonly ms: number) {
    super(`the request's deadline of ${ms} ms passed`);
  }
}

/**
 * A signal that aborts `ms` after now, unless `finished` settles first (the
 * request is done): its timer is then let go, so a request holds nothing once answered.
 */
export function requestDeadline(ms: number, finished: Promise<unknown>): AbortSignal {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlinePassed(ms)), ms).unref();
  const letGo = () => clearTimeout(timer);
  void finished.then(letGo, letGo);
  return controller.signal;
}

function deadlineExceeded(agency: string, signal: AbortSignal): GraphQLError {
  const ms = signal.reason instanceof DeadlinePassed ? signal.reason.ms : undefined;
  const within = ms === undefined ? '' : ` (${ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`})`;
  return graphqlError(
    ErrorCode.DEADLINE_EXCEEDED,
    `The request passed its deadline${within} before the ${agency} agency answered; its part of the answer is null.`,
    { agency },
  );
}

/** A call's context: an operation's is a GatewayContext, and a health check's (typed as any record) is read as one too. */
function contextOf(options: GraphQLDataSourceProcessOptions<GatewayContext>): Partial<GatewayContext> | undefined {
  return 'context' in options ? options.context : undefined;
}

// The fetcher is given only a URL and its init: the deadline of the call being sent reaches it through this.
const callDeadline = new AsyncLocalStorage<AbortSignal | undefined>();

/**
 * Calls one agency's subgraph. When the agency does not answer (down, timed
 * out, or answering garbage) its part of the result is null and the error
 * names the agency, so the rest of the answer is still returned.
 */
export class AgencyDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly agency: string,
    url: string,
    private readonly options: {
      timeoutMs: number;
      logger: Logger;
      signContext: (authority: Authority, audience: string) => Promise<string>;
      /** Told each head of its audit chain the agency shows once it has recorded a disclosure. */
      witness?: (agency: string, head: AuditHead) => void;
    },
  ) {
    super({
      url,
      fetcher: ((input: string, init: RequestInit) => {
        const timeout = AbortSignal.timeout(options.timeoutMs);
        const deadline = callDeadline.getStore();
        return fetch(input, { ...init, signal: deadline ? AbortSignal.any([timeout, deadline]) : timeout });
      }) as never,
    });
  }

  /** Every call carries the request's authority, signed for this agency alone. */
  override async willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const authority = contextOf(options)?.authority;
    if (!authority) throw new Error('No authority for a subgraph call');
    options.request.http?.headers.set(CONTEXT_HEADER, await this.options.signContext(authority, this.agency));
  }

  /**
   * An agency shows the head of its audit chain once it has recorded what it disclosed, and says which
   * children of its answer the caller has a relationship with (the client sees neither). Only children the
   * gateway asked that agency about are taken.
   */
  override didReceiveResponse({
    request,
    response,
    context,
  }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>>[0]): GatewayGraphQLResponse {
    const head = response.extensions?.[AUDIT_HEAD_EXTENSION] as Partial<AuditHead> | undefined;
    if (head && Number.isSafeInteger(head.seq) && typeof head.hash === 'string' && /^[0-9a-f]{64}$/.test(head.hash)) {
      this.options.witness?.(this.agency, { seq: head.seq!, hash: head.hash });
    }
    const related: unknown = response.extensions?.[RELATED_CHILDREN_EXTENSION];
    if (!Array.isArray(related) || related.length === 0) return response;
    const representations: unknown = request.variables?.representations;
    const asked = new Set(Array.isArray(representations) ? representations.map((r: { nhsNumber?: unknown } | null) => r?.nhsNumber) : []);
    context.related ??= new Set();
    for (const nhsNumber of related) if (typeof nhsNumber === 'string' && asked.has(nhsNumber)) context.related.add(nhsNumber);
    return response;
  }

  /** Within the request's deadline: a call is not started once it has passed, and is cancelled when it passes. */
  override async process(request: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const deadline = contextOf(request)?.deadline;
    if (deadline?.aborted) throw deadlineExceeded(this.agency, deadline);
    try {
      return await callDeadline.run(deadline, () => super.process(request));
    } catch (error) {
      if (deadline?.aborted) {
        this.options.logger.warn({ agency: this.agency }, "the request's deadline passed before the agency answered: call cancelled");
        throw deadlineExceeded(this.agency, deadline);
      }
      if (error instanceof GraphQLError && typeof error.extensions.code === 'string' && error.extensions.response === undefined) throw error;
      this.options.logger.warn({ agency: this.agency, err: error }, 'agency did not answer');
      throw agencyUnavailable(this.agency);
    }
  }
}
