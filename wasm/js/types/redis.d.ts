// Types of `nfehook/redis`.
import type { DedupeStore } from './index.js';

/** A node-redis (v4 and later) client: `createClient()` from `redis`, connected. */
export interface NodeRedisClientLike {
  sendCommand(args: string[]): Promise<unknown>;
}

/** An ioredis client: `new Redis()` from `ioredis`. */
export interface IoRedisClientLike {
  call(command: string, ...args: string[]): Promise<unknown>;
}

export interface RedisDedupeStoreOptions {
  /** Prefix of every key (default `nfehook:`). */
  prefix?: string;
  /** How long one command may take before the guard answers 503, in ms (default 2000). */
  commandTimeoutMs?: number;
}

/**
 * A `DedupeStore` in Redis, shared by every receiver process: `SET NX PX` to begin, token-checked
 * Lua scripts to renew, complete and release.
 *
 * ```ts
 * import { createClient } from 'redis';
 * import { DuplicateGuard } from 'nfehook';
 * import { RedisDedupeStore } from 'nfehook/redis';
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * const guard = new DuplicateGuard({ store: new RedisDedupeStore(redis) });
 * ```
 */
export declare class RedisDedupeStore implements DedupeStore {
  constructor(client: NodeRedisClientLike | IoRedisClientLike, options?: RedisDedupeStoreOptions);
  begin(id: string, token: string, leaseMs: number): Promise<'claimed' | 'busy' | 'done'>;
  extend(id: string, token: string, leaseMs: number): Promise<boolean>;
  complete(id: string, token: string, ttlMs: number): Promise<boolean>;
  release(id: string, token: string): Promise<boolean>;
  orderBegin(key: string, token: string, atMs: number, leaseMs: number): Promise<'claimed' | 'busy' | 'stale'>;
  orderExtend(key: string, token: string, leaseMs: number): Promise<boolean>;
  orderEnd(key: string, token: string, appliedMs: number | null, ttlMs: number): Promise<boolean>;
}

/** A Redis command did not answer within `commandTimeoutMs` (`code` `redis_timeout`). */
export declare class RedisTimeoutError extends Error {
  readonly code: 'redis_timeout';
}
