import { randomUUID } from 'node:crypto';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { CONTEXT_HEADER, type Authority } from '../../shared';

/** One call a gateway made to a subgraph for an operation, as sent. */
export interface SubgraphCall {
  subgraph: string;
  url: string;
  query: string;
  variables: Record<string, unknown> | undefined;
  /** The plan's step: calls in one step run side by side; each step waits for the one before. */
  step: number;
}

/**
 * The calls a gateway makes to its subgraphs for one operation, found by running it once through a plain
 * @apollo/gateway over `supergraphSdl` (each call signed with `sign`, as the product's gateway signs it), so that
 * the bench can time each call on its own, straight to its subgraph. Steps come from when each call started and
 * ended: a call started after every call of the current step had ended begins the next.
 */
export async function captureSubgraphCalls(
  supergraphSdl: string,
  operation: { query: string; variables?: Record<string, unknown> },
  authority: Omit<Authority, 'traceId'>,
  sign: (authority: Authority, audience: string) => Promise<string>,
): Promise<SubgraphCall[]> {
  const seen: (Omit<SubgraphCall, 'step'> & { started: number; ended: number })[] = [];
  class Recording extends RemoteGraphQLDataSource {
    constructor(
      private readonly subgraph: string,
      url: string,
    ) {
      super({ url });
    }
    override async willSendRequest({ request }: GraphQLDataSourceProcessOptions): Promise<void> {
      request.http?.headers.set(CONTEXT_HEADER, await sign({ ...authority, traceId: randomUUID() }, this.subgraph));
    }
    override async process(options: GraphQLDataSourceProcessOptions) {
      const started = performance.now();
      const response = await super.process(options);
      seen.push({
        subgraph: this.subgraph,
        url: this.url,
        query: options.request.query!,
        variables: options.request.variables,
        started,
        ended: performance.now(),
      });
      return response;
    }
  }
  const server = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl, buildService: ({ name, url }) => new Recording(name, url!) }) });
  await server.start();
  try {
    const result = await server.executeOperation(operation);
    // Errors for a part of the answer (a restricted child's fields, refused) are the answer's; no data at all is a failure.
    if (result.body.kind !== 'single' || !result.body.singleResult.data)
      throw new Error(`capturing the subgraph calls failed: ${JSON.stringify(result.body).slice(0, 1000)}`);
  } finally {
    await server.stop();
  }
  seen.sort((a, b) => a.started - b.started);
  let step = -1;
  let stepEnded = -Infinity;
  return seen.map(({ started, ended, ...call }) => {
    if (started >= stepEnded) {
      step++;
      stepEnded = ended;
    } else stepEnded = Math.max(stepEnded, ended);
    return { ...call, step };
  });
}
