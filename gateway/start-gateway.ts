import { createClient } from 'redis';
import { createLogger, type HttpService, type Logger } from '../shared';
import type { GatewayConfig } from './config';
import { createGateway } from './create-gateway';
import { loadSupergraph } from './load-supergraph';
import { RedisKeyValueCache } from './redis-cache';

export interface RunningGateway {
  url: string;
  service: HttpService;
  stop(): Promise<void>;
}

/** Loads the supergraph, connects the shared state (Redis when configured) and serves the gateway. */
export async function startGateway(config: GatewayConfig, logger: Logger = createLogger('gateway', config.logLevel)): Promise<RunningGateway> {
  const supergraphSdl = await loadSupergraph(config);
  const subgraphUrls = Object.fromEntries(config.subgraphs.map((s) => [s.name, s.url]));
  const redis = config.redisUrl ? createClient({ url: config.redisUrl }) : undefined;
  redis?.on('error', (err) => logger.error({ err }, 'redis error'));
  await redis?.connect();
  try {
    const cache = redis ? new RedisKeyValueCache(redis) : undefined;
    const gateway = createGateway({ supergraphSdl, subgraphUrls, cache, logger, development: config.development, subgraphTimeoutMs: config.subgraphTimeoutMs });
    const service = await gateway.listen(config.port, config.host);
    logger.info({ url: service.url, sharedState: redis ? 'redis' : 'memory' }, 'gateway ready');
    return {
      url: service.url,
      service,
      stop: async () => {
        await service.close();
        await redis?.quit();
      },
    };
  } catch (error) {
    await redis?.quit();
    throw error;
  }
}
