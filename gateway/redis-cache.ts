import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { RedisClientType } from 'redis';

/**
 * Apollo's KeyValueCache over Redis, so that several gateway replicas share
 * what they cache (persisted queries: operation text, never record values).
 */
export class RedisKeyValueCache implements KeyValueCache<string> {
  constructor(
    private readonly client: Pick<RedisClientType, 'get' | 'set' | 'del'>,
    /** Prefix for every key. @default 'cv:' */
    private readonly prefix = 'cv:',
  ) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.client.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    const ttl = options?.ttl;
    await this.client.set(this.prefix + key, value, ttl ? { EX: Math.max(1, Math.ceil(ttl)) } : undefined);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.client.del(this.prefix + key)) > 0;
  }
}
