// Type declarations of the npm package `nfehook` (main and `web` entries).

/** The raw request body: the exact bytes received, or their text. Never parsed JSON. */
export type RawBody = Uint8Array | ArrayBuffer | ArrayBufferView | string;

/** Anything with a case-insensitive `get`, such as the web `Headers`. */
export interface HeadersLike {
  get(name: string): string | null;
}

/** Request headers: a web `Headers`, a `Map`, or an object such as Node's `req.headers`. */
export type HeadersInput =
  | HeadersLike
  | ReadonlyMap<string, string | readonly string[] | undefined>
  | { readonly [name: string]: string | readonly string[] | undefined };

/** The signature header's value, or the request headers to find it in. */
export type SignatureInput = string | readonly string[] | HeadersInput | null | undefined;

/** A web `Request` (Fetch API): what Next.js route handlers, Hono, Bun, Deno and Workers receive. */
export interface RequestLike {
  readonly headers: HeadersLike;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * The dialect a delivery came in: `subscription` (the Subscriptions API: `id`, `event`, `data`,
 * header `X-Webhook-Signature`) or `account` (the account webhook of the admin panel: `evento`,
 * `dados`, header `X-ValidaNFe-Signature`). Both arrive as one event shape.
 */
export type Dialect = 'subscription' | 'account';

/** Events of the subscription dialect. */
export type SubscriptionEventName = 'nfe.processada' | 'nfe.cancelada' | 'nfe.erro';
/** Events of the account webhook. */
export type AccountEventName = 'nfe.consulta.concluida' | 'nfe.consulta.erro' | 'guarda.upload.concluido';
/** Names of the events ValidaNFe documents, in either dialect. */
export type KnownEventName = SubscriptionEventName | AccountEventName;

/**
 * The name of an event this version does not know. At run time it is the name as sent (a
 * string); its type is opaque so that it overlaps none of the known names, which keeps
 * `switch (event.event)` narrowing each `case 'nfe.processada'` to its own event (a `string`
 * here would make every case wide again). Read it with `String(event.event)`, and compare it
 * with a name this version does not list that way: `String(event.event) === 'nfe.nova'`.
 */
export interface UnknownEventName {
  /**
   * Type-only brand, absent at run time. A string key rather than a `unique symbol`, so that the
   * `require` (.d.ts) and `import` (.d.mts) declarations describe one and the same type.
   */
  readonly __nfehookUnknownEventName: true;
  toString(): string;
}

/** The issuer of the NF-e. */
export interface Emitente {
  /** CNPJ, 14 characters as sent. */
  cnpj: string;
  /** Legal name. */
  razaoSocial: string;
}

/** `data` of a subscription-dialect event. */
export interface NfeEventData<Status extends string = string> {
  /** The NF-e access key, 44 characters, as sent (check it with `parseChave`). */
  nfeChave: string;
  /** `processada`, `cancelada` or `erro` for the known events. */
  status: Status;
  emitente?: Emitente;
  /**
   * Amount in BRL as the exact decimal text sent (`"1500.00"`), never rounded through a float.
   * `Number(valor)` for arithmetic that tolerates floats, a decimal library otherwise.
   */
  valor?: string;
  /** Issue time, RFC 3339 UTC (`2024-03-10T15:30:45Z`). */
  dataEmissao?: string;
}

/**
 * `data` of an account-webhook event: its `dados` in camelCase (`chave_nfe` is `nfeChave`, as in
 * the subscription dialect). Each event carries its own fields; any may be absent.
 */
export interface AccountEventData {
  /** The NF-e access key, as sent (`chave_nfe`). */
  nfeChave: string;
  /** `nfe.consulta.concluida`: the NF-e's status (e.g. `autorizada`). */
  status?: string;
  /** `nfe.consulta.concluida`: the kind of query (e.g. `completa`). */
  tipoConsulta?: string;
  /** `nfe.consulta.erro`: the error code, as text (`"404"`). */
  erroCodigo?: string;
  /** `nfe.consulta.erro`: the error message. */
  erroMensagem?: string;
  /** `guarda.upload.concluido`: the stored file's id, as text. */
  arquivoId?: string;
  /** `guarda.upload.concluido`: where to download the file (an https URL of the API). */
  urlDownload?: string;
}

/** `nfe.consulta.concluida`'s `data`. */
export type ConsultaConcluidaData = Pick<AccountEventData, 'nfeChave' | 'status' | 'tipoConsulta'>;
/** `nfe.consulta.erro`'s `data`. */
export type ConsultaErroData = Pick<AccountEventData, 'nfeChave' | 'erroCodigo' | 'erroMensagem'>;
/** `guarda.upload.concluido`'s `data`. */
export type GuardaUploadConcluidoData = Pick<AccountEventData, 'nfeChave' | 'arquivoId' | 'urlDownload'>;

interface EventBase<D extends Dialect, Name extends string | UnknownEventName, Data> {
  /** Which dialect the delivery came in. */
  dialect: D;
  /**
   * Delivery id, the same on every attempt (drop duplicates by it): the body's `id`, or, for a
   * body without one (the account webhook's), `sha256:` and the hex SHA-256 of the signed body.
   */
  id: string;
  event: Name;
  /** When the event was produced, RFC 3339 UTC (`2024-03-10T16:45:30Z`). */
  timestamp: string;
  data: Data;
}

/** `nfe.processada`: the NF-e was processed and validated. */
export type NfeProcessadaEvent = EventBase<'subscription', 'nfe.processada', NfeEventData<'processada'>>;
/** `nfe.cancelada`: the NF-e was officially cancelled. */
export type NfeCanceladaEvent = EventBase<'subscription', 'nfe.cancelada', NfeEventData<'cancelada'>>;
/** `nfe.erro`: processing of the NF-e failed. */
export type NfeErroEvent = EventBase<'subscription', 'nfe.erro', NfeEventData<'erro'>>;
/** `nfe.consulta.concluida` (account webhook): an NF-e query finished successfully. */
export type ConsultaConcluidaEvent = EventBase<'account', 'nfe.consulta.concluida', ConsultaConcluidaData>;
/** `nfe.consulta.erro` (account webhook): an NF-e query failed. */
export type ConsultaErroEvent = EventBase<'account', 'nfe.consulta.erro', ConsultaErroData>;
/** `guarda.upload.concluido` (account webhook): the NF-e was stored in GuardaNFe. */
export type GuardaUploadConcluidoEvent = EventBase<'account', 'guarda.upload.concluido', GuardaUploadConcluidoData>;
/** An event this version does not know yet, of either dialect: kept, not rejected. */
export type UnknownWebhookEvent =
  | EventBase<'subscription', UnknownEventName, NfeEventData>
  | EventBase<'account', UnknownEventName, AccountEventData>;

/** A verified subscription-dialect event. */
export type SubscriptionWebhookEvent = NfeProcessadaEvent | NfeCanceladaEvent | NfeErroEvent;
/** A verified account-webhook event. */
export type AccountWebhookEvent = ConsultaConcluidaEvent | ConsultaErroEvent | GuardaUploadConcluidoEvent;
/** A verified ValidaNFe event of either dialect, discriminated by `event` (and by `dialect`). */
export type WebhookEvent = SubscriptionWebhookEvent | AccountWebhookEvent | UnknownWebhookEvent;

/**
 * An event to send in a test delivery (`generateTestDelivery`): the shape `verify` returns, with
 * `dialect` (the event's own, else `subscription`), `id` (generated; account bodies carry
 * none), `timestamp` (now) and the subscription dialect's `data.status` (the event's) optional.
 */
export interface TestEvent {
  dialect?: Dialect;
  id?: string;
  event: KnownEventName | (string & {});
  timestamp?: Date | string;
  data: Partial<Omit<NfeEventData, 'valor'> & AccountEventData> & {
    nfeChave: string;
    /** Exact decimal text, or a number. */
    valor?: string | number;
  };
}

/** A signed test delivery: POST `body` with `headers`. */
export interface TestDelivery {
  /** The body in the event's dialect: the exact bytes signed. */
  body: string;
  /** `content-type` and the dialect's signature header (lowercase). */
  headers: { 'content-type': 'application/json' } & (
    | { 'x-webhook-signature': string }
    | { 'x-validanfe-signature': string }
  );
}

/** Stable codes of `WebhookVerificationError`. */
export type VerificationErrorCode =
  | 'missing_signature'
  | 'malformed_signature'
  | 'signature_mismatch'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'invalid_payload'
  | 'payload_too_large';

/** A delivery failed verification; answer the sender with `statusCode` (400, or 413 past the limit). */
export declare class WebhookVerificationError extends Error {
  readonly name: 'WebhookVerificationError' | 'PayloadTooLargeError';
  readonly code: VerificationErrorCode;
  readonly statusCode: 400 | 413;
  /** For `malformed_signature`: why the header could not be read. */
  readonly reason?: 'missing_value' | 'invalid_encoding' | 'wrong_length' | 'too_many_signatures' | 'unsupported_algorithm';
  /** For `wrong_length`: characters found and hex characters expected; for `too_many_signatures`: how many. */
  readonly found?: number;
  readonly expected?: number;
  /** For `unsupported_algorithm`: the algorithm the header named (`sha1`, `sha512`, `other`). */
  readonly algorithm?: string;
  /** For `timestamp_too_old`. */
  readonly ageSeconds?: number;
  /** For `timestamp_in_future`. */
  readonly aheadSeconds?: number;
  /** For the timestamp errors: the tolerance in force. */
  readonly toleranceSeconds?: number;
}

export interface WebhookOptions {
  /**
   * How old an event's `timestamp` may be, in seconds (default 3600: it covers the sender's
   * retries, which repeat the timestamp; `Infinity` turns the check off).
   */
  toleranceSeconds?: number;
  /** How far ahead of this clock an event's `timestamp` may be, in seconds (default 300). */
  futureToleranceSeconds?: number;
  /** Largest body accepted: bytes, or a size such as `'1mb'`, `'512kb'` (default 1 MiB). */
  limit?: number | string;
}

export interface VerifyOptions {
  /** The current time: a Date or milliseconds since the epoch (default `Date.now()`). */
  now?: Date | number;
}

/**
 * The receiver of one subscription or account webhook: its secret (or several, while rotating)
 * keyed once. It verifies deliveries of both dialects.
 *
 * ```ts
 * const webhook = new Webhook(process.env.VALIDANFE_SECRET!);
 * const event = webhook.verify(rawBody, req.headers); // throws WebhookVerificationError
 * ```
 */
export declare class Webhook {
  constructor(secret: string | readonly string[], options?: WebhookOptions);
  /** Verifies the signature over the raw body, parses the event and checks its timestamp. */
  verify(rawBody: RawBody, signatureOrHeaders: SignatureInput, options?: VerifyOptions): WebhookEvent;
  /** Checks only the signature; throws `WebhookVerificationError`. */
  verifySignatureOrThrow(rawBody: RawBody, signatureOrHeaders: SignatureInput): void;
  /** Whether the signature is valid; never throws on a malformed header. */
  verifySignature(rawBody: RawBody, signatureOrHeaders: SignatureInput): boolean;
  /**
   * Reads a web `Request`'s body and verifies it with its headers; a body past the limit is
   * refused (`PayloadTooLargeError`) by its Content-Length or while streaming.
   */
  verifyRequest(request: RequestLike, options?: VerifyOptions): Promise<WebhookEvent>;
  /** The `X-Webhook-Signature` value for `rawBody` under the first secret. */
  sign(rawBody: RawBody): string;
  /** How old an event may be, in seconds. */
  readonly toleranceSeconds: number;
  /** How far ahead an event may be, in seconds. */
  readonly futureToleranceSeconds: number;
  /** The largest body accepted, in bytes. */
  readonly limit: number;
  /** Frees the keyed state now rather than at garbage collection; the object is unusable after. */
  dispose(): void;
  toJSON(): { secrets: '[REDACTED]'; toleranceSeconds: number; futureToleranceSeconds: number; limit: number };
}

/** A body longer than the limit (`code` `payload_too_large`, `statusCode` 413, `limit`). */
export declare class PayloadTooLargeError extends WebhookVerificationError {
  readonly name: 'PayloadTooLargeError';
  readonly code: 'payload_too_large';
  readonly statusCode: 413;
  /** The limit in bytes. */
  readonly limit: number;
}

/**
 * A body limit in bytes from a number or a size string (`'1mb'`, `'512kb'`, `'100b'`;
 * 1kb = 1024 bytes); a `TypeError` (`code` `invalid_limit`) for anything else.
 */
export declare function parseLimit(limit: number | string | undefined): number;

/** The runtime's `Request` (from the DOM or Node's types), or the part used when neither is loaded. */
export type WebRequest = typeof globalThis extends { Request: { prototype: infer R } } ? R : RequestLike;
/** The runtime's `Response`, or the part a caller reads when no such type is loaded. */
export type WebResponse = typeof globalThis extends { Response: { prototype: infer R } } ? R : { readonly status: number; readonly ok: boolean };

/** Options of `webhookHandler`. */
export interface WebhookHandlerOptions extends WebhookOptions {
  /** The subscription secret, or several while rotating. Give this or `webhook`. */
  secret?: string | readonly string[];
  /** A `Webhook` to reuse. */
  webhook?: Webhook;
  /**
   * Called with each verified event (under the guard when `dedupe` is set). Return a `Response`
   * to answer yourself (a non-2xx one frees the claim so the retry is processed); anything else
   * is answered 200 `{"received":true}`. Throwing frees the claim.
   */
  handler: (event: WebhookEvent, request: WebRequest) => unknown;
  /** Drops repeats and keeps concurrent attempts apart (see `DuplicateGuard`). */
  dedupe?: DuplicateGuard;
}

/**
 * A web `Request` handler (Next.js route handlers, Hono, Bun, Deno, Workers) with the same
 * answers as the Express and Fastify helpers.
 *
 * ```ts
 * export const POST = webhookHandler({ secret: process.env.VALIDANFE_SECRET!, dedupe: guard, handler: apply });
 * ```
 */
export declare function webhookHandler(options: WebhookHandlerOptions): (request: WebRequest) => Promise<WebResponse>;

/** Whether `header` is a valid ValidaNFe signature of `rawBody`; never throws on a malformed header. */
export declare function verifySignature(rawBody: RawBody, header: SignatureInput, secret: string): boolean;
/** The `X-Webhook-Signature` value (`sha256=<64 hex>`) for `rawBody`. */
export declare function sign(rawBody: RawBody, secret: string): string;
/**
 * The header value a delivery of `payload` (a body of either dialect) would carry; an object is
 * signed as `JSON.stringify(payload)`.
 */
export declare function generateTestHeader(payload: RawBody | object, secret: string): string;
/**
 * A signed delivery of `event` in its dialect: the subscription body with `X-Webhook-Signature:
 * sha256=<hex>`, or the account webhook's (`evento`, `dados`) with `X-ValidaNFe-Signature: <hex>`.
 */
export declare function generateTestDelivery(event: TestEvent, secret: string): TestDelivery;
/** Reads a web `Request` and verifies it (Next.js route handlers, Hono, Bun, Deno, Workers). */
export declare function verifyRequest(
  request: RequestLike,
  secretOrWebhook: string | readonly string[] | Webhook,
  options?: WebhookOptions & VerifyOptions,
): Promise<WebhookEvent>;

/** Whether `header` is a valid NFE.io `X-Hub-Signature` (`sha1=<HEX>`) of `rawBody`; never throws on a malformed header. */
export declare function verifyNfeIoSignature(rawBody: RawBody, header: SignatureInput, secret: string): boolean;
/** The `X-Hub-Signature` value NFE.io would send for `rawBody`. */
export declare function signNfeIo(rawBody: RawBody, secret: string): string;

/** A CNPJ or CPF. */
export interface DocumentInfo {
  kind: 'CNPJ' | 'CPF';
  /** Bare characters (14 or 11). */
  value: string;
  /** `12.ABC.345/01DE-35` or `123.456.789-09`. */
  formatted: string;
}

/** Every field of an NF-e access key. */
export interface ChaveInfo {
  /** The 44 characters, normalised. */
  chave: string;
  /** 11 groups of 4, as printed on a DANFE. */
  grouped: string;
  uf: { code: number; sigla: string; nome: string };
  /** Year of issue, four digits. */
  ano: number;
  /** Month of issue, 1–12. */
  mes: number;
  emitente: DocumentInfo;
  modelo: { code: number; nome: string };
  serie: number;
  faixaSerie: 'emitente_cnpj' | 'avulsa' | 'site_fisco' | 'emitente_cpf' | 'reservada';
  numero: number;
  tipoEmissao: { code: number; descricao: string };
  /** `nSiteAutoriz` of NF3e and NFCom keys, else null. */
  siteAutoriz: number | null;
  codigoNumerico: string;
  digitoVerificador: number;
  /** Model 55 or 65. */
  isNfe: boolean;
  /** Issued under the layout before 2.00 (no emission type). */
  isLegacy: boolean;
}

export type ChaveErrorCode =
  | 'length'
  | 'invalid_character'
  | 'unknown_uf'
  | 'invalid_month'
  | 'invalid_emitente'
  | 'unknown_model'
  | 'cfe_sat_layout'
  | 'unknown_emission_type'
  | 'number_zero'
  | 'check_digit'
  | (string & {});

/** An access key was rejected. */
export declare class ChaveError extends Error {
  readonly name: 'ChaveError';
  readonly code: ChaveErrorCode;
  /** 1-based position in the 44 characters where the problem starts (absent for `length`). */
  readonly position?: number;
  /** The value the rules give (check digits, length 44). */
  readonly expected?: number;
  /** The text written at `position`, as typed: `"01"` (unknown UF), `"x"`, `"1"` (check digit). */
  readonly found?: string;
  /** For `length`: the characters counted. */
  readonly length?: number;
  /** For `date_out_of_range`: the year and month read. */
  readonly year?: number;
  readonly month?: number;
  /** For `invalid_emitente`: which document positions 7–20 were read as, and its error code. */
  readonly documentKind?: 'CNPJ' | 'CPF';
  readonly documentCode?: DocumentErrorCode;
  /** For `invalid_emitente` with `check_digit`: which check digit (1 or 2). */
  readonly digit?: number;
  /** For `unknown_emission_type`: the model's code. */
  readonly modelo?: number;
}

export type DocumentErrorCode = 'length' | 'invalid_character' | 'all_same_digit' | 'check_digit';

/** A CNPJ or CPF was rejected. */
export declare class DocumentError extends Error {
  readonly name: 'DocumentError';
  readonly code: DocumentErrorCode;
  readonly kind: 'CNPJ' | 'CPF';
  readonly position?: number;
  readonly expected?: number;
  /** The text written there (`"5"`, `"x"`). */
  readonly found?: string;
  /** For `length`: the characters counted. */
  readonly length?: number;
  /** For `check_digit`: which check digit (1 or 2). */
  readonly digit?: number;
}

/** Options of `parseChave`. */
export interface ParseChaveOptions {
  /** Apply the tax authority's issue-time rules: exactly 44 characters, AAMM up to `today`, … */
  strict?: boolean;
  /** Reference month of the strict rules: a Date (its UTC month) or `"YYYY-MM"`; now when absent. */
  today?: Date | string;
}
/**
 * Decodes an access key (spaces, dots, dashes and an `NFe` prefix accepted unless
 * `options.strict`); throws `ChaveError`.
 */
export declare function parseChave(key: string, options?: ParseChaveOptions): ChaveInfo;
/** Whether `key` is a valid access key. */
export declare function isValidChave(key: string): boolean;
/** Whether `cnpj` (numeric or alphanumeric, formatted or not) is valid. */
export declare function isValidCnpj(cnpj: string): boolean;
/** `cnpj` formatted as `12.ABC.345/01DE-35`; throws `DocumentError`. */
export declare function formatCnpj(cnpj: string): string;
/** Whether `cpf` (formatted or not) is valid. */
export declare function isValidCpf(cpf: string): boolean;
/** `cpf` formatted as `123.456.789-09`; throws `DocumentError`. */
export declare function formatCpf(cpf: string): string;

type MaybePromise<T> = T | Promise<T>;

/**
 * Where `DuplicateGuard` keeps its claims; sync or async. Every method is atomic, and only the
 * holder of `token` may extend, complete or release what it took. `MemoryDedupeStore` (one
 * process) and `RedisDedupeStore` (`nfehook/redis`, many processes) implement it.
 */
export interface DedupeStore {
  /** Takes a lease on `id`: `claimed`, `busy` (another attempt holds it) or `done` (processed). */
  begin(id: string, token: string, leaseMs: number): MaybePromise<'claimed' | 'busy' | 'done'>;
  /** Renews the lease; false when `token` holds none. */
  extend(id: string, token: string, leaseMs: number): MaybePromise<boolean>;
  /** Turns the lease into `done` for `ttlMs` (also a lapsed one no one took since); false when another holds it or it is done. */
  complete(id: string, token: string, ttlMs: number): MaybePromise<boolean>;
  /** Frees the lease; false when `token` holds none. */
  release(id: string, token: string): MaybePromise<boolean>;
  /** Takes the lease on an access key for an event produced at `atMs`; `stale` when a later one was applied. */
  orderBegin(key: string, token: string, atMs: number, leaseMs: number): MaybePromise<'claimed' | 'busy' | 'stale'>;
  /** Renews an access key's lease; false when `token` holds none. */
  orderExtend(key: string, token: string, leaseMs: number): MaybePromise<boolean>;
  /** Frees an access key's lease, recording `appliedMs` (when a number) as its last applied event time. */
  orderEnd(key: string, token: string, appliedMs: number | null, ttlMs: number): MaybePromise<boolean>;
}

/** In-memory `DedupeStore` for one process, at most `maxEntries` (default 100000) ids and keys. */
export declare class MemoryDedupeStore implements DedupeStore {
  constructor(options?: { maxEntries?: number });
  begin(id: string, token: string, leaseMs: number): 'claimed' | 'busy' | 'done';
  extend(id: string, token: string, leaseMs: number): boolean;
  complete(id: string, token: string, ttlMs: number): boolean;
  release(id: string, token: string): boolean;
  orderBegin(key: string, token: string, atMs: number, leaseMs: number): 'claimed' | 'busy' | 'stale';
  orderExtend(key: string, token: string, leaseMs: number): boolean;
  orderEnd(key: string, token: string, appliedMs: number | null, ttlMs: number): boolean;
  /** How many ids are recorded. */
  readonly size: number;
}

export interface DuplicateGuardOptions {
  /** Default: a `MemoryDedupeStore`. */
  store?: DedupeStore;
  /** How long a processed id is remembered, in seconds (default 86400; at least the replay window). */
  ttlSeconds?: number;
  /**
   * How long a processing lease lasts without renewal, in seconds (default 60, longer than the
   * sender's 30 s timeout). It is renewed while the handler runs and lapses if the process dies.
   */
  leaseSeconds?: number;
  /**
   * Keep each NF-e's events in order: an event older than the last one applied for the same
   * `data.nfeChave` is acknowledged as `stale` without reaching the handler, and two events of
   * one NF-e are never processed at once (default false).
   */
  stateOrder?: boolean;
  /** Process deliveries unguarded while the store is unreachable (default false: answer 503). */
  failOpen?: boolean;
  /** Store errors that do not change the answer (default: `console.warn`). */
  onError?: (error: DedupeUnavailableError) => void;
}

/** What a claim gives: process it (`claimed`, `unguarded`) or answer without the handler. */
export type ClaimStatus = 'claimed' | 'unguarded' | 'duplicate' | 'in_progress' | 'stale';

/** The outcome of `guard.run`, and of a claim not granted. */
export type GuardOutcome<T = unknown> =
  | { status: 'processed'; value: T }
  | { status: 'duplicate' }
  | { status: 'stale' }
  | { status: 'unguarded' }
  | { status: 'claimed' }
  | { status: 'in_progress'; retryAfterSeconds: number };

/** One attempt's hold on an event. */
export declare class Claim {
  readonly status: ClaimStatus;
  readonly id: string;
  /** For `in_progress`: how long the sender should wait. */
  readonly retryAfterSeconds?: number;
  /** Whether this attempt should process the event. */
  readonly granted: boolean;
  readonly outcome: GuardOutcome<never>;
  /** Marks it processed; never throws (store errors go to `onError`). */
  complete(): Promise<boolean>;
  /** Frees it for the sender's next attempt; never throws. */
  release(): Promise<boolean>;
}

/**
 * Drops repeated deliveries by event id, in two phases so that nothing is lost: a short
 * processing lease while the handler runs, then `done` after success only.
 *
 * ```ts
 * const guard = new DuplicateGuard({ store: new RedisDedupeStore(redis) });
 * const outcome = await guard.run(event, apply); // { status: 'processed', value } | duplicate | in_progress | stale
 * ```
 */
export declare class DuplicateGuard {
  constructor(options?: DuplicateGuardOptions);
  /** Claims the event for this attempt; rejects with `DedupeUnavailableError` when the store fails (unless `failOpen`). */
  claim(event: { id: string; timestamp?: string; data?: { nfeChave?: string } } | string): Promise<Claim>;
  /** Runs `handler` only when this attempt holds the event; completes on success, releases (and rethrows) on a throw. */
  run<E extends { id: string }, T>(event: E, handler: (event: E) => T | Promise<T>): Promise<GuardOutcome<Awaited<T>>>;
  /** The `dedupe` option of a framework helper, checked against the webhook's replay window. */
  static check(dedupe: DuplicateGuard | undefined | null, webhook: Webhook): DuplicateGuard | undefined;
  readonly ttlSeconds: number;
  readonly leaseSeconds: number;
}

/** The dedupe store failed (`code` `dedupe_unavailable`, `statusCode` 503); the delivery was not processed. */
export declare class DedupeUnavailableError extends Error {
  readonly code: 'dedupe_unavailable';
  readonly statusCode: 503;
  readonly cause: unknown;
}

/** The HTTP answer the framework helpers give for a guard outcome or a known error, or null for `processed`. */
export declare function replyFor(outcomeOrError: GuardOutcome | Claim | WebhookVerificationError | DedupeUnavailableError): {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
} | null;

/** The six known names: the subscription dialect's three, then the account webhook's. */
export declare const EVENT_NAMES: readonly KnownEventName[];
/** 3600 seconds: the past side of the replay window. */
export declare const DEFAULT_TOLERANCE_SECONDS: 3600;
/** 300 seconds: the future side of the replay window. */
export declare const DEFAULT_FUTURE_TOLERANCE_SECONDS: 300;
/** 86400 seconds. */
export declare const DEFAULT_GUARD_TTL_SECONDS: 86400;
/** 60 seconds. */
export declare const DEFAULT_LEASE_SECONDS: 60;
/** 1 MiB. */
export declare const DEFAULT_BODY_LIMIT: 1048576;
/** `x-webhook-signature`: read first. */
export declare const SIGNATURE_HEADER: 'x-webhook-signature';
/** `x-validanfe-signature`: the account webhook's, read when `x-webhook-signature` is absent. */
export declare const ACCOUNT_SIGNATURE_HEADER: 'x-validanfe-signature';
/** `x-hub-signature`. */
export declare const NFEIO_SIGNATURE_HEADER: 'x-hub-signature';
