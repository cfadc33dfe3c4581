import type { RedisClientType } from 'redis';

/**
 * The gateway's shared state: what every replica must see alike (break-glass
 * grants, unusual-access and rate-limit counters). Keys and counters only, never a record
 * value: children appear only as salted hashes. Redis when `REDIS_URL` is set,
 * else in memory (one replica).
 */
export interface SharedState {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Adds `by` (1, or any whole number, negative to take back) to a counter that expires `ttlSeconds` after it is first made; returns the new count. */
  increment(key: string, ttlSeconds: number, by?: number): Promise<number>;
  /** Adds members to a set that expires `ttlSeconds` after it is first made; returns how many were new, and its size. */
  addToSet(key: string, members: readonly string[], ttlSeconds: number): Promise<{ added: number; size: number }>;
}

export class RedisSharedState implements SharedState {
  constructor(
    private readonly client: RedisClientType,
    private readonly prefix = 'cv:state:',
  ) {}

  async get(key: string) {
    return (await this.client.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, ttlSeconds: number) {
    await this.client.set(this.prefix + key, value, { EX: Math.max(1, Math.ceil(ttlSeconds)) });
  }

  async delete(key: string) {
    await this.client.del(this.prefix + key);
  }

  async increment(key: string, ttlSeconds: number, by = 1) {
    const [count] = (await this.client
      .multi()
      .incrBy(this.prefix + key, by)
      .expire(this.prefix + key, ttlSeconds, 'NX')
      .exec()) as unknown as [number];
    return Number(count);
  }

  async addToSet(key: string, members: readonly string[], ttlSeconds: number) {
    if (members.length === 0) return { added: 0, size: Number(await this.client.sCard(this.prefix + key)) };
    const results = (await this.client
      .multi()
      .sAdd(this.prefix + key, [...members])
      .expire(this.prefix + key, ttlSeconds, 'NX')
      .sCard(this.prefix + key)
      .exec()) as unknown as number[];
    return { added: Number(results[0]), size: Number(results[2]) };
  }
}

export class MemorySharedState implements SharedState {
  private readonly values = new Map<string, { value: string | Set<string> | number; expires: number }>();

  private live(key: string) {
    const entry = this.values.get(key);
    if (entry && entry.expires <= Date.now()) {
      this.values.delete(key);
      return undefined;
    }
    return entry;
  }

  async get(key: string) {
    const value = this.live(key)?.value;
    return typeof value === 'string' ? value : undefined;
  }

  async set(key: string, value: string, ttlSeconds: number) {
    this.values.set(key, { value, expires: Date.now() + ttlSeconds * 1000 });
  }

  async delete(key: string) {
    this.values.delete(key);
  }

  async increment(key: string, ttlSeconds: number, by = 1) {
    const entry = this.live(key) ?? { value: 0, expires: Date.now() + ttlSeconds * 1000 };
    entry.value = (entry.value as number) + by;
    this.values.set(key, entry);
    return entry.value;
  }

  async addToSet(key: string, members: readonly string[], ttlSeconds: number) {
    const entry = this.live(key) ?? { value: new Set<string>(), expires: Date.now() + ttlSeconds * 1000 };
    const set = entry.value as Set<string>;
    const before = set.size;
    for (const member of members) set.add(member);
    this.values.set(key, entry);
    return { added: set.size - before, size: set.size };
  }

  /** What is held, for tests that check no record value is kept. */
  entries(): { key: string; value: string }[] {
    return [...this.values.keys()]
      .filter((k) => this.live(k))
      .map((key) => {
        const v = this.values.get(key)!.value;
        return { key, value: typeof v === 'string' ? v : v instanceof Set ? [...v].join(',') : String(v) };
      });
  }
}
