// Duplicate deliveries and NF-e state order.
//
// Wrapped with api.js by wasm/build/assemble.mjs (no import or export here). Every attempt of
// one delivery carries the same event id. A claim is taken in two phases so that no attempt is
// lost: first a short processing lease (held only while a handler runs, renewed while it runs,
// lapsing by itself if the process dies), then, after success only, the long `done` mark.

const DEFAULT_GUARD_TTL_SECONDS = 86400;
const DEFAULT_LEASE_SECONDS = 60;
// How long a sender is told to wait before retrying while the dedupe store is unreachable.
const UNAVAILABLE_RETRY_AFTER_SECONDS = 30;

/** The dedupe store could not be reached; answer 503 so the sender retries. */
class DedupeUnavailableError extends Error {
  constructor(cause) {
    super(`nfehook: the dedupe store is unavailable (${cause && cause.message ? cause.message : String(cause)}); ` +
      'the delivery was not processed, so the sender will retry it');
    this.name = 'DedupeUnavailableError';
    this.code = 'dedupe_unavailable';
    this.statusCode = 503;
    this.cause = cause;
  }
}

const STORE_METHODS = ['begin', 'extend', 'complete', 'release', 'orderBegin', 'orderExtend', 'orderEnd'];

/**
 * An in-memory store for one process: claims of event ids, and per access key the time of the
 * last event applied. At most `maxEntries` of each are kept; the oldest go first.
 */
class MemoryDedupeStore {
  #claims = new Map();
  #order = new Map();
  #maxEntries;

  constructor(options) {
    const maxEntries = options == null || options.maxEntries === undefined ? 100000 : options.maxEntries;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new TypeError('nfehook: maxEntries must be an integer >= 1');
    this.#maxEntries = maxEntries;
  }

  /** Takes a lease on `id` for `leaseMs` under `token`: `claimed`, `busy` (leased) or `done`. */
  begin(id, token, leaseMs) {
    const now = Date.now();
    const entry = live(this.#claims, id, now, claimExpired);
    if (entry !== undefined) return entry.token === null ? 'done' : 'busy';
    this.#put(this.#claims, id, { token, until: now + leaseMs }, now, claimExpired);
    return 'claimed';
  }

  /** Renews the lease `token` holds on `id`; false when it holds none. */
  extend(id, token, leaseMs) {
    const now = Date.now();
    const entry = live(this.#claims, id, now, claimExpired);
    if (entry === undefined || entry.token !== token) return false;
    entry.until = now + leaseMs;
    return true;
  }

  /**
   * Turns the lease `token` holds on `id` into `done` for `ttlMs`, also when that lease lapsed
   * and no one took it since (the work is done either way); false when another attempt holds
   * it or it is already done.
   */
  complete(id, token, ttlMs) {
    const now = Date.now();
    const entry = live(this.#claims, id, now, claimExpired);
    if (entry !== undefined && entry.token !== token) return false;
    this.#put(this.#claims, id, { token: null, until: now + ttlMs }, now, claimExpired);
    return true;
  }

  /** Frees the lease `token` holds on `id`; false when it holds none. */
  release(id, token) {
    const entry = live(this.#claims, id, Date.now(), claimExpired);
    if (entry === undefined || entry.token !== token) return false;
    this.#claims.delete(id);
    return true;
  }

  /**
   * Takes the lease on access key `key` for an event produced at `atMs`: `claimed`, `busy`
   * (another event of the key is being applied) or `stale` (a later event was applied).
   */
  orderBegin(key, token, atMs, leaseMs) {
    const now = Date.now();
    const entry = live(this.#order, key, now, orderExpired);
    if (entry !== undefined && entry.token !== null && entry.leaseUntil > now) return 'busy';
    if (entry !== undefined && entry.applied !== null && entry.appliedUntil > now && atMs < entry.applied) return 'stale';
    const base = entry === undefined ? { applied: null, appliedUntil: 0 } : entry;
    this.#put(this.#order, key, { applied: base.applied, appliedUntil: base.appliedUntil, token, leaseUntil: now + leaseMs },
      now, orderExpired);
    return 'claimed';
  }

  /** Renews the lease `token` holds on access key `key`; false when it holds none. */
  orderExtend(key, token, leaseMs) {
    const now = Date.now();
    const entry = live(this.#order, key, now, orderExpired);
    if (entry === undefined || entry.token !== token || entry.leaseUntil <= now) return false;
    entry.leaseUntil = now + leaseMs;
    return true;
  }

  /**
   * Frees the lease `token` holds on `key` (true when it held it); when `appliedMs` is a
   * number, also records it as the key's last applied event time (never moving it back) for
   * `ttlMs`.
   */
  orderEnd(key, token, appliedMs, ttlMs) {
    const now = Date.now();
    let entry = live(this.#order, key, now, orderExpired);
    const held = entry !== undefined && entry.token === token;
    if (held) {
      entry.token = null;
      entry.leaseUntil = 0;
    }
    // The applied time is a fact whoever holds the lease now (this attempt's may have lapsed).
    if (typeof appliedMs === 'number') {
      if (entry === undefined) {
        entry = { applied: null, appliedUntil: 0, token: null, leaseUntil: 0 };
        this.#put(this.#order, key, entry, now, orderExpired);
      }
      if (entry.applied === null || entry.appliedUntil <= now || appliedMs > entry.applied) {
        entry.applied = appliedMs;
        entry.appliedUntil = now + ttlMs;
      }
    }
    return held;
  }

  /** How many ids are recorded (expired ones included until they are swept). */
  get size() {
    return this.#claims.size;
  }

  #put(map, key, value, now, expired) {
    map.delete(key);
    map.set(key, value);
    // Oldest first: drop expired entries, then the oldest while over the limit.
    for (const [oldKey, old] of map) {
      if (map.size <= this.#maxEntries && !expired(old, now)) break;
      map.delete(oldKey);
    }
  }
}

function claimExpired(entry, now) {
  return entry.until <= now;
}

function orderExpired(entry, now) {
  return entry.leaseUntil <= now && entry.appliedUntil <= now;
}

function live(map, key, now, expired) {
  const entry = map.get(key);
  if (entry === undefined) return undefined;
  if (expired(entry, now)) {
    map.delete(key);
    return undefined;
  }
  return entry;
}

let tokenCounter = 0;
const tokenPrefix = Math.random().toString(36).slice(2, 10);

/** A claim token unique to this attempt: only its holder can complete or release the claim. */
function newToken() {
  const webCrypto = globalThis.crypto;
  if (webCrypto && typeof webCrypto.randomUUID === 'function') return webCrypto.randomUUID();
  tokenCounter += 1;
  return `${tokenPrefix}-${Date.now().toString(36)}-${tokenCounter.toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function idOf(eventOrId) {
  const id = typeof eventOrId === 'string' ? eventOrId : eventOrId && eventOrId.id;
  if (typeof id !== 'string' || id.length === 0) throw new TypeError('nfehook: an event id must be a non-empty string');
  return id;
}

function positiveSeconds(value, fallback, name) {
  const seconds = value === undefined ? fallback : value;
  if (typeof seconds !== 'number' || !(seconds > 0) || !Number.isFinite(seconds)) {
    throw new TypeError(`nfehook: ${name} must be a finite number > 0`);
  }
  return seconds;
}

/**
 * One attempt's hold on an event. `status` is `claimed` (process it, then `complete()`; on
 * failure `release()`), `unguarded` (the store was down and `failOpen` let it through),
 * `duplicate` (already processed), `in_progress` (another attempt holds it: answer non-2xx so
 * the sender retries) or `stale` (a later event of the same NF-e was applied).
 */
class Claim {
  #settle;
  #timer;

  constructor(status, id, settle, renew, leaseMs) {
    this.status = status;
    this.id = id;
    if (status === 'in_progress') this.retryAfterSeconds = Math.ceil(leaseMs / 1000);
    this.#settle = settle;
    if (renew !== null) {
      // Renewed while the handler runs, so a slow handler keeps it; a dead process stops
      // renewing and the lease lapses on its own.
      this.#timer = setInterval(renew, Math.max(10, Math.floor(leaseMs / 3)));
      if (typeof this.#timer.unref === 'function') this.#timer.unref();
    }
  }

  /** The outcome `run` gives for a claim not granted: its status (and `retryAfterSeconds`). */
  get outcome() {
    return this.status === 'in_progress'
      ? { status: this.status, retryAfterSeconds: this.retryAfterSeconds }
      : { status: this.status };
  }

  /**
   * Stops renewing the lease, so it lapses within `leaseSeconds` unless the claim is settled
   * first: for when the sender stopped waiting (its timeout) while the handler still runs. Its
   * retry is then refused (409) while the handler may still finish, and processed once the lease
   * has lapsed — so a handler that hangs cannot hold an event for ever.
   */
  letLapse() {
    clearInterval(this.#timer);
  }

  /** Whether this attempt holds the event and should process it. */
  get granted() {
    return this.status === 'claimed' || this.status === 'unguarded';
  }

  /**
   * Marks the event processed (repeats become duplicates); true when the store recorded it.
   * Never throws: a store error goes to the guard's `onError`.
   */
  complete() {
    return this.#end(true);
  }

  /** Frees the event so the sender's next attempt processes it; true when a hold was freed. Never throws. */
  release() {
    return this.#end(false);
  }

  async #end(success) {
    clearInterval(this.#timer);
    const settle = this.#settle;
    this.#settle = null;
    return settle === null ? false : settle(success);
  }
}

/**
 * Drops repeated deliveries by event id, two-phase so that nothing is lost, and optionally
 * keeps each NF-e's events in order (`stateOrder: true`). `store`: a `MemoryDedupeStore`
 * (default, one process) or a shared one such as `RedisDedupeStore` from `nfehook/redis`.
 */
class DuplicateGuard {
  #store;
  #ttlMs;
  #leaseMs;
  #stateOrder;
  #failOpen;
  #onError;

  constructor(options) {
    const opts = options == null ? {} : options;
    const store = opts.store === undefined ? new MemoryDedupeStore() : opts.store;
    const missing = STORE_METHODS.filter((name) => store === null || typeof store[name] !== 'function');
    if (missing.length > 0) throw new TypeError(`nfehook: a dedupe store needs ${missing.join(', ')}`);
    this.#store = store;
    this.#ttlMs = positiveSeconds(opts.ttlSeconds, DEFAULT_GUARD_TTL_SECONDS, 'ttlSeconds') * 1000;
    this.#leaseMs = positiveSeconds(opts.leaseSeconds, DEFAULT_LEASE_SECONDS, 'leaseSeconds') * 1000;
    if (this.#leaseMs >= this.#ttlMs) throw new TypeError('nfehook: leaseSeconds must be shorter than ttlSeconds');
    this.#stateOrder = Boolean(opts.stateOrder);
    this.#failOpen = Boolean(opts.failOpen);
    if (opts.onError !== undefined && typeof opts.onError !== 'function') throw new TypeError('nfehook: onError must be a function');
    this.#onError = opts.onError === undefined ? (error) => console.warn(error.message) : opts.onError;
  }

  /**
   * The `dedupe` option of a framework helper (a guard, or undefined for none), checked
   * against the webhook's replay window: a guard that forgets an id sooner than the window
   * would let a replay inside the window through twice.
   */
  static check(dedupe, webhook) {
    if (dedupe === undefined || dedupe === null) return undefined;
    if (!(dedupe instanceof DuplicateGuard)) throw new TypeError('nfehook: dedupe must be a DuplicateGuard');
    if (dedupe.ttlSeconds < webhook.toleranceSeconds) {
      throw new TypeError(`nfehook: the guard remembers ids for ${dedupe.ttlSeconds} s, less than the replay window ` +
        `(${webhook.toleranceSeconds} s): a replay inside the window would be processed again; raise ttlSeconds`);
    }
    return dedupe;
  }

  /** How long a processed id is remembered, in seconds. */
  get ttlSeconds() {
    return this.#ttlMs / 1000;
  }

  /** How long a processing lease lasts without renewal, in seconds. */
  get leaseSeconds() {
    return this.#leaseMs / 1000;
  }

  /**
   * Claims the event for this attempt; resolves a `Claim`. Throws `DedupeUnavailableError` when
   * the store fails (unless `failOpen`, which gives an `unguarded` claim).
   */
  async claim(event) {
    const id = idOf(event);
    const token = newToken();
    const store = this.#store;
    let begun;
    try {
      begun = await store.begin(id, token, this.#leaseMs);
    } catch (error) {
      return this.#unavailable(id, error);
    }
    if (begun === 'done') return new Claim('duplicate', id, null, null, this.#leaseMs);
    if (begun === 'busy') return new Claim('in_progress', id, null, null, this.#leaseMs);
    if (begun !== 'claimed') throw new TypeError(`nfehook: the dedupe store's begin() gave ${String(begun)}`);

    const key = this.#stateOrder ? orderKeyOf(event) : null;
    const at = key === null ? null : Date.parse(event.timestamp);
    if (key !== null) {
      let ordered;
      try {
        ordered = await store.orderBegin(key, token, at, this.#leaseMs);
      } catch (error) {
        await this.#quietly(() => store.release(id, token));
        return this.#unavailable(id, error);
      }
      if (ordered === 'busy') {
        await this.#quietly(() => store.release(id, token));
        return new Claim('in_progress', id, null, null, this.#leaseMs);
      }
      if (ordered === 'stale') {
        await this.#quietly(() => store.complete(id, token, this.#ttlMs));
        return new Claim('stale', id, null, null, this.#leaseMs);
      }
    }

    const renew = () => {
      this.#quietly(() => store.extend(id, token, this.#leaseMs));
      if (key !== null) this.#quietly(() => store.orderExtend(key, token, this.#leaseMs));
    };
    const settle = async (success) => {
      try {
        const held = success
          ? await store.complete(id, token, this.#ttlMs)
          : await store.release(id, token);
        if (key !== null) await store.orderEnd(key, token, success ? at : null, this.#ttlMs);
        return Boolean(held);
      } catch (error) {
        // The answer does not change: after success the work is done (a 2xx stops the
        // sender); after failure the lease lapses on its own.
        this.#onError(new DedupeUnavailableError(error));
        return false;
      }
    };
    return new Claim('claimed', id, settle, renew, this.#leaseMs);
  }

  /**
   * Runs `handler(event)` only when this attempt holds the event: completes the claim when it
   * resolves, releases it (and rethrows) when it throws. Resolves `{ status: 'processed', value }`
   * or the claim's status (`duplicate`, `in_progress` with `retryAfterSeconds`, `stale`).
   * `options.signal` (e.g. the request's): once aborted, the lease is let lapse.
   */
  async run(event, handler, options) {
    if (typeof handler !== 'function') throw new TypeError('nfehook: guard.run(event, handler) needs a function');
    const claim = await this.claim(event);
    if (!claim.granted) return claim.outcome;
    const signal = options == null ? undefined : options.signal;
    if (signal) {
      if (signal.aborted) claim.letLapse();
      else signal.addEventListener('abort', () => claim.letLapse(), { once: true });
    }
    let value;
    try {
      value = await handler(event);
    } catch (error) {
      await claim.release();
      throw error;
    }
    await claim.complete();
    return { status: 'processed', value };
  }

  /** Reports an error of the store that must not change the answer (the work is done). */
  async #quietly(step) {
    try {
      return await step();
    } catch (error) {
      this.#onError(error instanceof DedupeUnavailableError ? error : new DedupeUnavailableError(error));
      return undefined;
    }
  }

  #unavailable(id, error) {
    if (!this.#failOpen) throw new DedupeUnavailableError(error);
    this.#onError(new DedupeUnavailableError(error));
    return new Claim('unguarded', id, async () => false, null, this.#leaseMs);
  }
}

/** The NF-e access key of an event with a usable timestamp, or null (no state order then). */
function orderKeyOf(event) {
  const key = event && event.data && event.data.nfeChave;
  if (typeof key !== 'string' || key.length === 0) return null;
  return Number.isFinite(Date.parse(event.timestamp)) ? key : null;
}

/**
 * The HTTP answer the framework helpers give for a guard outcome or an error they know:
 * `{ statusCode, headers, body }`, or null for `processed` (the handler answers). For your own
 * framework adapter.
 */
function replyFor(outcomeOrError) {
  const json = { 'content-type': 'application/json; charset=utf-8' };
  if (outcomeOrError instanceof WebhookVerificationError) {
    return { statusCode: outcomeOrError.statusCode, headers: json,
      body: { error: outcomeOrError.code, message: outcomeOrError.message } };
  }
  if (outcomeOrError instanceof DedupeUnavailableError) {
    return { statusCode: 503, headers: { ...json, 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
      body: { error: outcomeOrError.code, message: 'the delivery could not be checked for duplicates; retry later' } };
  }
  switch (outcomeOrError && outcomeOrError.status) {
    case 'duplicate':
      return { statusCode: 200, headers: json, body: { received: true, duplicate: true } };
    case 'stale':
      return { statusCode: 200, headers: json, body: { received: true, stale: true } };
    case 'in_progress':
      return { statusCode: 409, headers: { ...json, 'retry-after': String(outcomeOrError.retryAfterSeconds) },
        body: { error: 'in_progress', message: 'another attempt of this event is being processed; retry later' } };
    default:
      return null;
  }
}

// @exports MemoryDedupeStore DuplicateGuard DedupeUnavailableError replyFor DEFAULT_GUARD_TTL_SECONDS DEFAULT_LEASE_SECONDS
