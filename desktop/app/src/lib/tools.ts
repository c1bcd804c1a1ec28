// Typed wrappers of the tools' commands (NF-e keys, bulk import, test events, deliveries,
// inspector) and the pure helpers their views use. All HTTP happens in Rust; progress comes
// back through a Channel the view passes (no event permission needed).
import { Channel } from '@tauri-apps/api/core';
import { call, type Dialect } from './api';

export interface ChaveInfo {
  chave: string;
  grouped: string;
  uf: string;
  ufCode: number;
  ufNome: string;
  ano: number;
  mes: number;
  emitente: string;
  emitenteKind: 'CNPJ' | 'CPF';
  modelo: number;
  modeloNome: string;
  serie: number;
  numero: number;
  tipoEmissao: number;
  tipoEmissaoDescricao: string;
}

/** The core's machine form of a key error (fields absent where they do not apply). */
export interface ChaveProblem {
  code: string;
  message: string;
  position?: number | null;
  expected?: number | null;
  found?: string | null;
  length?: number | null;
}

export type Validation =
  | { state: 'empty' }
  | { state: 'valid'; detail: ChaveInfo }
  | { state: 'invalid'; detail: ChaveProblem };

export interface ChaveRow {
  chave: string;
  info: ChaveInfo | null;
}

export interface RemoveOutcome {
  removed: string[];
  failed: { chave: string; kind: string; message: string }[];
}

export interface Exported {
  path: string;
  count: number;
}

export interface Origin {
  source: string;
  line: number;
  column: number | null;
}

export type RowStatus =
  | { kind: 'valid'; info: ChaveInfo }
  | { kind: 'invalid'; problem: ChaveProblem }
  | { kind: 'duplicate'; chave: string; firstRow: number }
  | { kind: 'existing'; chave: string };

export interface PreviewRow {
  row: number;
  origin: Origin;
  input: string;
  status: RowStatus;
}

export interface Skipped {
  origin: Origin;
  reason: 'noKey' | 'xmlError' | 'xmlWithoutKeys';
  excerpt: string;
}

export interface PreviewCounts {
  valid: number;
  invalid: number;
  duplicate: number;
  existing: number;
  skipped: number;
}

/** One page of a preview kept in Rust: the rows cross over a page at a time. */
export interface PreviewPage {
  offset: number;
  /** Rows in the whole preview. */
  total: number;
  rows: PreviewRow[];
  /** Counts of the whole preview. */
  counts: PreviewCounts;
  /** The skipped lines, on the page at offset 0 only. */
  skipped: Skipped[];
}

export interface PreviewView {
  previewId: number;
  page: PreviewPage;
}

/** Most rows Rust sends in one page (`nfehook_keys::MAX_PAGE_ROWS`). */
export const PREVIEW_PAGE_ROWS = 500;

export type RowState = 'pending' | 'sending' | 'added' | 'conflict' | 'failed' | 'invalid' | 'duplicate' | 'existing';

export interface ResultCounts {
  total: number;
  pending: number;
  added: number;
  conflict: number;
  failed: number;
  invalid: number;
  duplicate: number;
  existing: number;
}

export interface ImportRecord {
  id: number;
  target: { connection: string; subscriptionId: string };
  createdAt: string;
  updatedAt: string;
  state: 'running' | 'cancelled' | 'finished' | 'dismissed';
  counts: ResultCounts;
}

export interface ResultRow {
  row: number;
  source: string;
  line: number;
  column: number | null;
  input: string;
  chave: string | null;
  state: RowState;
  reasonCode: string | null;
  reason: string | null;
}

export type ImportEvent =
  | { type: 'started'; importId: number; queued: number }
  | { type: 'row'; importId: number; row: number; chave: string; state: RowState; reasonCode: string | null; reason: string | null }
  | { type: 'rateLimited'; importId: number; row: number; waitMs: number }
  | { type: 'ended'; record: ImportRecord };

export interface SourceInput {
  name: string;
  text?: string;
  base64?: string;
}

/** Recorded `in_flight` before it is sent; `interrupted` when the sandbox stopped meanwhile. */
export type AttemptOutcome = 'in_flight' | 'succeeded' | 'failed' | 'interrupted';

export interface Attempt {
  number: number;
  startedAt: string;
  outcome: AttemptOutcome;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

export interface Delivery {
  id: string;
  dialect: Dialect;
  /** Null for a delivery to the account webhook. */
  subscriptionId: string | null;
  url: string;
  event: string;
  nfeChave: string;
  status: 'pending' | 'delivered' | 'failed' | 'cancelled' | 'expired' | string;
  attemptsMade: number;
  nextAttemptAt: string | null;
  createdAt: string;
  completedAt: string | null;
  attempts: Attempt[];
}

export interface Triggered {
  event: string;
  nfeChave: string;
  timestamp: string;
  deliveries: { id: string; dialect: Dialect; subscriptionId: string | null }[];
}

export interface SendOutcome {
  status: number | null;
  ok: boolean;
  latencyMs: number;
  headers: [string, string][];
  body: string;
  bodyTruncated: boolean;
  error: string | null;
  /** The start of the body sent (the whole when `sentBodyTruncated` is false). */
  sentBody: string;
  sentSize: number;
  sentBodyTruncated: boolean;
  signatureHeader: string;
  signature: string;
}

export type TestEventResult =
  | { via: 'sandbox'; triggered: Triggered; delivery: Delivery | null }
  | { via: 'direct'; url: string; outcome: SendOutcome };

/** The body a test event would send, to show and edit (its key proposed when none is given). */
/** The bounds the UI checks before reading the user's input (the Rust crates' own). */
export interface ToolLimits {
  maxSourceBytes: number;
}

/** The newest deliveries, and the most listed at once (the list is cut there). */
export interface DeliveryList {
  deliveries: Delivery[];
  limit: number;
}

export interface TestEventDraft {
  chave: string;
  body: string;
  /** Longest body that may be sent, in bytes (the core's bound). */
  maxBodyBytes: number;
}

export interface ResponseConfig {
  status: number;
  delayMs: number;
  body: string;
  contentType: string;
}

export type Verdict =
  | { state: 'noSecret' }
  | { state: 'valid'; secretLabel: string; scheme: 'validaNfe' | 'nfeIo' }
  | {
      state: 'invalid';
      code: string;
      message: string;
      header: string;
      scheme: 'validaNfe' | 'nfeIo';
      secretLabel: string | null;
    };

export interface EventSummary {
  /** Null when the body is not a delivery of either dialect. */
  dialect: Dialect | null;
  id: string | null;
  event: string | null;
  timestamp: string | null;
  nfeChave: string | null;
  chave: Validation;
  /** The dialect's own fields, camelCase names, in the spec's order. */
  fields: { name: string; value: string }[];
}

/** The sandbox's account webhook; the secret only by its last four characters. */
export interface AccountWebhookView {
  url: string;
  events: string[];
  secretLast4: string;
}

export interface AccountWebhookSet {
  webhook: AccountWebhookView;
  /** The secret the sandbox generated in this call, shown once. */
  secret: string | null;
}

export interface RecordedRequest {
  id: number;
  receivedAt: string;
  receivedAtMs: number;
  method: string;
  path: string;
  remoteAddr: string | null;
  headers: [string, string][];
  /** `pretty` is null and `prettyTruncated` true when the JSON is too large or too deep to indent. */
  body: { size: number; text: string | null; base64: string | null; pretty: string | null; prettyTruncated: boolean };
  verdict: Verdict;
  event: EventSummary | null;
  response: { status: number; delayMs: number };
}

export type InspectorEvent = { type: 'request'; request: RecordedRequest } | { type: 'cleared' };

export interface InspectorStatus {
  running: boolean;
  url: string | null;
  port: number | null;
  response: ResponseConfig | null;
  secretLabel: string | null;
  /** Most requests the receiver keeps (the newest); the live list keeps as many. */
  kept: number;
}

export type SecretChoice = { kind: 'none' } | { kind: 'subscription'; id: string } | { kind: 'pasted'; secret: string };

export interface CreatedRow {
  subscription: { id: string; name: string; url: string };
  generatedSecret: string | null;
}

function channel<T>(onmessage: (message: T) => void): Channel<T> {
  const ch = new Channel<T>();
  ch.onmessage = onmessage;
  return ch;
}


export const tools = {
  validateChave: (input: string) => call<Validation>('validate_chave', { input }),
  listChaves: (subscriptionId: string, search = '') => call<ChaveRow[]>('list_chaves', { subscriptionId, search }),
  addChave: (subscriptionId: string, input: string) => call<ChaveInfo>('add_chave', { subscriptionId, input }),
  removeChaves: (subscriptionId: string, chaves: string[]) =>
    call<RemoveOutcome>('remove_chaves', { subscriptionId, chaves }),
  exportChaves: (subscriptionId: string, search = '') => call<Exported>('export_chaves', { subscriptionId, search }),
  copyText: (text: string) => call<void>('copy_text', { text }),
  previewImport: (subscriptionId: string, sources: SourceInput[]) =>
    call<PreviewView>('preview_import', { subscriptionId, sources }),
  previewPage: (previewId: number, offset: number, limit = PREVIEW_PAGE_ROWS) =>
    call<PreviewPage>('preview_page', { previewId, offset, limit }),
  startImport: (previewId: number, onEvent: (e: ImportEvent) => void) =>
    call<number>('start_import', { previewId, onEvent: channel(onEvent) }),
  resumeImport: (importId: number, onEvent: (e: ImportEvent) => void) =>
    call<void>('resume_import', { importId, onEvent: channel(onEvent) }),
  cancelImport: (importId: number) => call<boolean>('cancel_import', { importId }),
  openImports: (subscriptionId: string) =>
    call<{ record: ImportRecord; running: boolean }[]>('open_imports', { subscriptionId }),
  importStatus: (importId: number) => call<{ record: ImportRecord; running: boolean }>('import_status', { importId }),
  importResults: (importId: number) => call<ResultRow[]>('import_results', { importId }),
  exportImportResults: (importId: number) => call<Exported>('export_import_results', { importId }),
  copyImportResults: (importId: number) => call<void>('copy_import_results', { importId }),
  dismissImport: (importId: number) => call<void>('dismiss_import', { importId }),
  testEventDraft: (input: { event: string; chave?: string | null }) => call<TestEventDraft>('test_event_draft', { input }),
  sendTestEvent: (subscriptionId: string, body: string) =>
    call<TestEventResult>('send_test_event', { subscriptionId, input: { body } }),
  /** `null`: the deliveries to every webhook. */
  listDeliveries: (subscriptionId: string | null) => call<DeliveryList>('list_deliveries', { subscriptionId }),
  resendDelivery: (deliveryId: string) => call<Delivery>('resend_delivery', { deliveryId }),
  getAccountWebhook: () => call<AccountWebhookView | null>('get_account_webhook'),
  setAccountWebhook: (input: { url: string; events: string[]; secret?: string }) =>
    call<AccountWebhookSet>('set_account_webhook', { input }),
  inspectorStart: (port: number | null, response: ResponseConfig) =>
    call<InspectorStatus>('inspector_start', { port, response }),
  inspectorWatch: (onEvent: (e: InspectorEvent) => void) => call<void>('inspector_watch', { onEvent: channel(onEvent) }),
  inspectorStop: () => call<void>('inspector_stop'),
  inspectorStatus: () => call<InspectorStatus>('inspector_status'),
  inspectorRequests: () => call<RecordedRequest[]>('inspector_requests'),
  inspectorSetResponse: (response: ResponseConfig) => call<void>('inspector_set_response', { response }),
  inspectorUseSecret: (choice: SecretChoice) => call<string | null>('inspector_use_secret', { choice }),
  inspectorVerify: (requestId: number, choice: SecretChoice) =>
    call<Verdict>('inspector_verify', { requestId, choice }),
  inspectorCurl: (requestId: number) => call<string>('inspector_curl', { requestId }),
  inspectorClear: () => call<void>('inspector_clear'),
  inspectorSubscribeSandbox: () => call<CreatedRow>('inspector_subscribe_sandbox'),
  inspectorReplay: (requestId: number, url: string, choice: SecretChoice) =>
    call<SendOutcome>('inspector_replay', { requestId, url, choice }),
  inspectorExport: (requestIds: number[]) => call<Exported>('inspector_export', { requestIds }),
  checkKeys: (sources: SourceInput[]) => call<PreviewView>('check_keys', { sources }),
  toolLimits: () => call<ToolLimits>('tool_limits'),
  checkKeysPage: (checkId: number, offset: number, limit = PREVIEW_PAGE_ROWS) =>
    call<PreviewPage>('check_keys_page', { checkId, offset, limit }),
};

export const DEFAULT_RESPONSE: ResponseConfig = {
  status: 200,
  delayMs: 0,
  body: '{"received":true}',
  contentType: 'application/json',
};

/** Bytes of a file as base64, for `preview_import` (files are read in the webview). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** A file past the parser's bound, refused before any file is read (a type, not an interface,
 *  so that it is also the message's parameters). */
export type OversizedFile = {
  name: string;
  size: number;
  max: number;
};

/**
 * The sources of one check or preview: the pasted text first (unless it is only blanks), then
 * each file's bytes. When a file is larger than `maxBytes` (the parser's bound, from
 * `toolLimits`) no file is read and that file is named instead.
 */
export async function readSources(
  text: string,
  files: readonly File[],
  pastedName: string,
  maxBytes: number,
): Promise<{ sources: SourceInput[] } | { oversized: OversizedFile }> {
  const big = files.find((f) => f.size > maxBytes);
  if (big) return { oversized: { name: big.name, size: big.size, max: maxBytes } };
  const sources: SourceInput[] = text.trim() ? [{ name: pastedName, text }] : [];
  for (const f of files) sources.push({ name: f.name, base64: toBase64(new Uint8Array(await f.arrayBuffer())) });
  return { sources };
}

/** Whole import progress in percent: rows with a result over rows to send. */
export function progressPercent(done: number, queued: number): number {
  if (queued <= 0) return 100;
  return Math.min(100, Math.round((done / queued) * 100));
}

/** i18n key and params of a key problem (the message catalogue has one per code). */
export function problemMessage(p: ChaveProblem): { key: string; params: Record<string, string | number> } {
  return {
    key: `problem.${p.code}`,
    params: {
      position: p.position ?? '',
      expected: p.expected ?? '',
      found: p.found ?? '',
      length: p.length ?? '',
    },
  };
}

/** A header's value (case-insensitive), joined when repeated. */
export function headerValue(headers: [string, string][], name: string): string | null {
  const values = headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
  return values.length ? values.join(', ') : null;
}

/** What a `row` event changes in its result row. */
export type RowChange = Pick<ResultRow, 'state' | 'reasonCode' | 'reason'>;

/**
 * The results with the queued changes applied, in one pass however many arrived (row events can
 * come by the thousand a second; one copy of the results per event would be quadratic). Rows
 * with no change are kept as they are; changes for unknown rows are ignored.
 */
export function applyRowChanges(rows: readonly ResultRow[], changes: ReadonlyMap<number, RowChange>): ResultRow[] {
  if (changes.size === 0) return rows as ResultRow[];
  return rows.map((r) => {
    const change = changes.get(r.row);
    return change ? { ...r, ...change } : r;
  });
}

/** Rows of a result list that match a state filter (`all`, or one state). */
export function filterResults(rows: ResultRow[], state: RowState | 'all'): ResultRow[] {
  return state === 'all' ? rows : rows.filter((r) => r.state === state);
}

/** Whether a key matches a search: a run of its characters in any grouping, the issuer's
 *  document, or the state (the same rule as `list_chaves` in Rust). */
export function matchesChave(row: ChaveRow, search: string): boolean {
  const needle = search.replace(/[^0-9a-z]/gi, '').toUpperCase();
  if (!needle) return true;
  if (row.chave.toUpperCase().includes(needle)) return true;
  if (!row.info) return false;
  return row.info.uf === needle || row.info.emitente.replace(/[^0-9a-z]/gi, '').toUpperCase().includes(needle);
}
