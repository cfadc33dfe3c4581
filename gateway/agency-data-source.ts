import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import { agencyUnavailable, AUDIT_HEAD_EXTENSION, CONTEXT_HEADER, RELATED_CHILDREN_EXTENSION, type AuditHead, type Authority, type DeniedPath, type Logger } from '../shared';

/** What the gateway knows of each request: who is asking and why. */
export interface GatewayContext {
  authority: Authority;
  /** Fields the gateway withheld from this operation before planning, for its audit log. */
  filtered?: DeniedPath[];
  /** Children an agency answering this operation found the caller has a relationship with (for unusual access). */
  related?: Set<string>;
}

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
      fetcher: ((input: string, init: RequestInit) => fetch(input, { ...init, signal: AbortSignal.timeout(options.timeoutMs) })) as never,
    });
  }

  /** Every call carries the request's authority, signed for this agency alone. */
  override async willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const authority = 'context' in options ? options.context?.authority : undefined;
    if (!authority) throw new Error('No authority for a subgraph call');
    options.request.http?.headers.set(CONTEXT_HEADER, await this.options.signContext(authority, this.agency));
  }

  /**
   * An agency shows the head of its audit chain once it has recorded what it disclosed, and says which
   * children of its answer the caller has a relationship with (the client sees neither). Only children the
   * gateway asked that agency about are taken.
   */
  override didReceiveResponse({ request, response, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>>[0]): GatewayGraphQLResponse {
    const head = response.extensions?.[AUDIT_HEAD_EXTENSION] as Partial<AuditHead> | undefined;
    if (head && Number.isSafeInteger(head.seq) && typeof head.hash === 'string' && /^[0-9a-f]{64}$/.test(head.hash)) {
      this.options.witness?.(this.agency, { seq: head.seq!, hash: head.hash });
    }
    const related = response.extensions?.[RELATED_CHILDREN_EXTENSION];
    if (!Array.isArray(related) || related.length === 0) return response;
    const representations = request.variables?.representations;
    const asked = new Set(Array.isArray(representations) ? representations.map((r: { nhsNumber?: unknown } | null) => r?.nhsNumber) : []);
    context.related ??= new Set();
    for (const nhsNumber of related) if (typeof nhsNumber === 'string' && asked.has(nhsNumber)) context.related.add(nhsNumber);
    return response;
  }

  override async process(request: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    try {
      return await super.process(request);
    } catch (error) {
      if (error instanceof GraphQLError && typeof error.extensions.code === 'string' && error.extensions.response === undefined) throw error;
      this.options.logger.warn({ agency: this.agency, err: error }, 'agency did not answer');
      throw agencyUnavailable(this.agency);
    }
  }
}
