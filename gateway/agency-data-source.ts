import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import { getGlobalDispatcher, type Dispatcher } from 'undici';
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
import { createAgencyFetcher } from './agency-fetcher';

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

/**
 * Calls one agency's subgraph. When the agency does not answer (down, timed
 * out, or answering garbage) its part of the result is null and the error
 * names the agency, so the rest of the answer is still returned.
 */
export class AgencyDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  /** Each pending call's deadline, by the signed context it carries (see the constructor). */
  private readonly deadlines: Map<string, { signal: AbortSignal; calls: number }>;

  constructor(
    private readonly agency: string,
    url: string,
    private readonly options: {
      timeoutMs: number;
      /** The gateway's keep-alive connections to its agencies (createGateway closes them when it stops). @default undici's global dispatcher */
      agent?: Dispatcher;
      logger: Logger;
      signContext: (authority: Authority, audience: string) => Promise<string>;
      /** Told each head of its audit chain the agency shows once it has recorded a disclosure. */
      witness?: (agency: string, head: AuditHead) => void;
    },
  ) {
    // The fetcher is given only a URL and its init: each call's deadline reaches it by the call's own signed
    // context, which willSendRequest puts in its headers. EdDSA signatures are deterministic, so two calls of one
    // request to this agency within the same second carry the same token (and the same deadline): each is counted.
    const deadlines = new Map<string, { signal: AbortSignal; calls: number }>();
    const deadlineOf = (init?: { headers?: Record<string, string> }) => {
      const token = init?.headers?.[CONTEXT_HEADER];
      const entry = token === undefined ? undefined : deadlines.get(token);
      if (entry && --entry.calls === 0) deadlines.delete(token!);
      return entry?.signal;
    };
    super({ url, fetcher: createAgencyFetcher({ agent: options.agent ?? getGlobalDispatcher(), timeoutMs: options.timeoutMs, signal: deadlineOf }) });
    this.deadlines = deadlines;
  }

  /** Every call carries the request's authority, signed for this agency alone. */
  override async willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const context = contextOf(options);
    if (!context?.authority) throw new Error('No authority for a subgraph call');
    const token = await this.options.signContext(context.authority, this.agency);
    options.request.http?.headers.set(CONTEXT_HEADER, token);
    if (context.deadline) {
      const pending = this.deadlines.get(token);
      if (pending) pending.calls++;
      else this.deadlines.set(token, { signal: context.deadline, calls: 1 });
    }
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
      return await super.process(request);
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
