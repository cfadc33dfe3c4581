import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import { agencyUnavailable, type Logger } from '../shared';

/**
 * Calls one agency's subgraph. When the agency does not answer (down, timed
 * out, or answering garbage) its part of the result is null and the error
 * names the agency, so the rest of the answer is still returned.
 */
export class AgencyDataSource extends RemoteGraphQLDataSource {
  constructor(
    private readonly agency: string,
    url: string,
    private readonly options: { timeoutMs: number; logger: Logger },
  ) {
    super({
      url,
      fetcher: ((input: string, init: RequestInit) => fetch(input, { ...init, signal: AbortSignal.timeout(options.timeoutMs) })) as never,
    });
  }

  override async process(request: GraphQLDataSourceProcessOptions): Promise<GatewayGraphQLResponse> {
    try {
      return await super.process(request);
    } catch (error) {
      if (error instanceof GraphQLError && typeof error.extensions.code === 'string' && error.extensions.response === undefined) throw error;
      this.options.logger.warn({ agency: this.agency, err: error }, 'agency did not answer');
      throw agencyUnavailable(this.agency);
    }
  }
}
