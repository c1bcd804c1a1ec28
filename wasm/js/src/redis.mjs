import redis from './redis.cjs';

export const { RedisDedupeStore, RedisTimeoutError } = redis;
