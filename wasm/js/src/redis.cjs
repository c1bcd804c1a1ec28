'use strict';
// `nfehook/redis`: a dedupe store in Redis, so that many receiver processes share one
// DuplicateGuard. Works with node-redis (v4 and later) and ioredis clients; every step is
// atomic (SET NX PX to begin, token-checked Lua scripts for the rest). No WebAssembly here.

// Only the holder of a lease (its value is `p:<token>`) may renew, complete or free it; a
// processed event is `d`.
// Completing a lapsed lease no one took since is right too: the work is done.
const COMPLETE = `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] or not v then redis.call('SET', KEYS[1], 'd', 'PX', ARGV[2]) return 1 end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1]) return 1 end return 0`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end return 0`;
// KEYS[1]: the access key's lease, KEYS[2]: the time of its last applied event (ms).
const ORDER_BEGIN = `if redis.call('EXISTS', KEYS[1]) == 1 then return 'busy' end
local last = redis.call('GET', KEYS[2])
if last and tonumber(ARGV[2]) < tonumber(last) then return 'stale' end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3]) return 'claimed'`;
// The applied time is a fact whoever holds the lease now, so it is recorded (never moving
// back) even when this attempt's lease lapsed; the lease is freed only by its holder.
const ORDER_END = `local held = redis.call('GET', KEYS[1]) == ARGV[1]
if held then redis.call('DEL', KEYS[1]) end
if ARGV[2] ~= '' then
  local last = redis.call('GET', KEYS[2])
  if not last or tonumber(ARGV[2]) > tonumber(last) then redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) end
end
if held then return 1 end return 0`;

const DEFAULT_COMMAND_TIMEOUT_MS = 2000;

/** A Redis command did not answer in time (the client queues commands while disconnected). */
class RedisTimeoutError extends Error {
  constructor(ms) {
    super(`redis did not answer within ${ms} ms`);
    this.name = 'RedisTimeoutError';
    this.code = 'redis_timeout';
  }
}

/** `(args) => Promise` for either client kind. */
function commandSender(client) {
  // ioredis has `call(name, ...args)` (its `sendCommand` takes a Command object instead).
  if (client && typeof client.call === 'function') return (args) => client.call(...args);
  if (client && typeof client.sendCommand === 'function') return (args) => client.sendCommand(args);
  throw new TypeError('nfehook/redis: pass a connected node-redis client (createClient) or an ioredis client');
}

/**
 * Stores DuplicateGuard claims and NF-e state order in Redis under `prefix` (default
 * `nfehook:`). Each command fails after `commandTimeoutMs` (default 2000), so an unreachable
 * Redis makes the guard answer 503 instead of holding the delivery.
 */
class RedisDedupeStore {
  #send;
  #prefix;
  #timeout;

  constructor(client, options) {
    const opts = options == null ? {} : options;
    this.#send = commandSender(client);
    this.#prefix = opts.prefix === undefined ? 'nfehook:' : opts.prefix;
    if (typeof this.#prefix !== 'string') throw new TypeError('nfehook/redis: prefix must be a string');
    this.#timeout = opts.commandTimeoutMs === undefined ? DEFAULT_COMMAND_TIMEOUT_MS : opts.commandTimeoutMs;
    if (!Number.isFinite(this.#timeout) || this.#timeout <= 0) {
      throw new TypeError('nfehook/redis: commandTimeoutMs must be a number > 0');
    }
  }

  async begin(id, token, leaseMs) {
    const key = this.#event(id);
    // A SET that times out here may still run once Redis answers again; its lease would then
    // refuse every retry until it lapsed, so a late success is freed at once.
    const set = await this.#run(['SET', key, `p:${token}`, 'NX', 'PX', ms(leaseMs)], (late) => {
      if (late === 'OK') this.release(id, token).catch(() => {});
    });
    if (set === 'OK') return 'claimed';
    // Gone between the two commands (its lease lapsed): busy, the sender retries shortly.
    return (await this.#run(['GET', key])) === 'd' ? 'done' : 'busy';
  }

  async extend(id, token, leaseMs) {
    return Number(await this.#eval(EXTEND, [this.#event(id)], [`p:${token}`, ms(leaseMs)])) === 1;
  }

  async complete(id, token, ttlMs) {
    return Number(await this.#eval(COMPLETE, [this.#event(id)], [`p:${token}`, ms(ttlMs)])) === 1;
  }

  async release(id, token) {
    return Number(await this.#eval(RELEASE, [this.#event(id)], [`p:${token}`])) === 1;
  }

  async orderBegin(key, token, atMs, leaseMs) {
    return String(await this.#eval(ORDER_BEGIN, this.#order(key), [token, ms(atMs), ms(leaseMs)]));
  }

  async orderExtend(key, token, leaseMs) {
    return Number(await this.#eval(EXTEND, this.#order(key).slice(0, 1), [token, ms(leaseMs)])) === 1;
  }

  async orderEnd(key, token, appliedMs, ttlMs) {
    const applied = typeof appliedMs === 'number' ? ms(appliedMs) : '';
    return Number(await this.#eval(ORDER_END, this.#order(key), [token, applied, ms(ttlMs)])) === 1;
  }

  #event(id) {
    return `${this.#prefix}event:${id}`;
  }

  // One hash tag per access key keeps both keys in one slot of a Redis Cluster.
  #order(key) {
    return [`${this.#prefix}lease:{${key}}`, `${this.#prefix}applied:{${key}}`];
  }

  #eval(script, keys, args) {
    return this.#run(['EVAL', script, String(keys.length), ...keys, ...args]);
  }

  /** Sends one command, failing after the timeout; `onLate` sees a reply that came after it. */
  #run(args, onLate) {
    const reply = Promise.resolve().then(() => this.#send(args));
    let timer;
    let timedOut = false;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new RedisTimeoutError(this.#timeout));
      }, this.#timeout);
      if (typeof timer.unref === 'function') timer.unref();
    });
    // A reply that arrives after the timeout is handed to `onLate` or dropped, never reported
    // as unhandled.
    reply.then((late) => { if (timedOut && onLate) onLate(late); }, () => {});
    return Promise.race([reply, timeout]).finally(() => clearTimeout(timer));
  }
}

function ms(value) {
  return String(Math.max(1, Math.round(value)));
}

module.exports = { RedisDedupeStore, RedisTimeoutError };
