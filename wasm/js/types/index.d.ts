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

/** Names of the events ValidaNFe documents. */
export type KnownEventName = 'nfe.processada' | 'nfe.cancelada' | 'nfe.erro';

/** The issuer of the NF-e. */
export interface Emitente {
  /** CNPJ, 14 characters as sent. */
  cnpj: string;
  /** Legal name. */
  razaoSocial: string;
}

/** `data` of an event. */
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

interface EventBase<Name extends string, Status extends string> {
  /** Delivery id: every attempt of one delivery carries the same one (drop duplicates by it). */
  id: string;
  event: Name;
  /** When the event was produced, RFC 3339 UTC (`2024-03-10T16:45:30Z`). */
  timestamp: string;
  data: NfeEventData<Status>;
}

/** `nfe.processada`: the NF-e was processed and validated. */
export type NfeProcessadaEvent = EventBase<'nfe.processada', 'processada'>;
/** `nfe.cancelada`: the NF-e was officially cancelled. */
export type NfeCanceladaEvent = EventBase<'nfe.cancelada', 'cancelada'>;
/** `nfe.erro`: processing of the NF-e failed. */
export type NfeErroEvent = EventBase<'nfe.erro', 'erro'>;
/** An event this version does not know yet: kept, not rejected. */
export type UnknownWebhookEvent = EventBase<string & {}, string>;

/** A verified ValidaNFe event, discriminated by `event`. */
export type WebhookEvent = NfeProcessadaEvent | NfeCanceladaEvent | NfeErroEvent | UnknownWebhookEvent;

/** Stable codes of `WebhookVerificationError`. */
export type VerificationErrorCode =
  | 'missing_signature'
  | 'malformed_signature'
  | 'signature_mismatch'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'invalid_payload';

/** A delivery failed verification; answer the sender with `statusCode` (400). */
export declare class WebhookVerificationError extends Error {
  readonly name: 'WebhookVerificationError';
  readonly code: VerificationErrorCode;
  readonly statusCode: 400;
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
  /** Replay window in seconds around the event's `timestamp` (default 300; `Infinity` turns it off). */
  toleranceSeconds?: number;
}

export interface VerifyOptions {
  /** The current time: a Date or milliseconds since the epoch (default `Date.now()`). */
  now?: Date | number;
}

/**
 * The receiver of one subscription: its secret (or several, while rotating) keyed once.
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
  /** Reads a web `Request`'s body and verifies it with its headers. */
  verifyRequest(request: RequestLike, options?: VerifyOptions): Promise<WebhookEvent>;
  /** The `X-Webhook-Signature` value for `rawBody` under the first secret. */
  sign(rawBody: RawBody): string;
  /** The replay window in seconds. */
  readonly toleranceSeconds: number;
  /** Frees the keyed state now rather than at garbage collection; the object is unusable after. */
  dispose(): void;
  toJSON(): { secrets: '[REDACTED]'; toleranceSeconds: number };
}

/** Whether `header` is a valid ValidaNFe signature of `rawBody`; never throws on a malformed header. */
export declare function verifySignature(rawBody: RawBody, header: SignatureInput, secret: string): boolean;
/** The `X-Webhook-Signature` value (`sha256=<64 hex>`) for `rawBody`. */
export declare function sign(rawBody: RawBody, secret: string): string;
/** The header value a delivery of `payload` would carry; an object is signed as `JSON.stringify(payload)`. */
export declare function generateTestHeader(payload: RawBody | object, secret: string): string;
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
  /** The value found (a character for `invalid_character`). */
  readonly found?: number | string;
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
  readonly found?: number | string;
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

/** Where `DuplicateGuard` records seen event ids; sync or async. */
export interface DedupeStore {
  /** Records `id` for `ttlSeconds`; true when it was not recorded yet. */
  add(id: string, ttlSeconds: number): boolean | Promise<boolean>;
  /** Forgets `id`. */
  delete(id: string): unknown;
}

/** In-memory `DedupeStore` for one process. */
export declare class MemoryDedupeStore implements DedupeStore {
  constructor(options?: { maxEntries?: number });
  add(id: string, ttlSeconds: number): boolean;
  delete(id: string): void;
  readonly size: number;
}

export interface DuplicateGuardOptions {
  /** Default: a `MemoryDedupeStore`. */
  store?: DedupeStore;
  /** How long an id is remembered (default 86400). */
  ttlSeconds?: number;
}

/** Drops repeated deliveries by event id. */
export declare class DuplicateGuard {
  constructor(options?: DuplicateGuardOptions);
  /** True the first time an event (or id) is seen: process it. False for a repeat. */
  claim(eventOrId: { id: string } | string): Promise<boolean>;
  /** Forgets it, so the sender's retry is processed (call when processing failed). */
  release(eventOrId: { id: string } | string): Promise<void>;
}

/** `['nfe.processada', 'nfe.cancelada', 'nfe.erro']`. */
export declare const EVENT_NAMES: readonly KnownEventName[];
/** 300 seconds. */
export declare const DEFAULT_TOLERANCE_SECONDS: 300;
/** `x-webhook-signature`. */
export declare const SIGNATURE_HEADER: 'x-webhook-signature';
/** `x-hub-signature`. */
export declare const NFEIO_SIGNATURE_HEADER: 'x-hub-signature';
