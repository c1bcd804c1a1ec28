// Pure helpers of the test-event pane: what the edited body looks like before it is sent (the
// authoritative check is the core's, in Rust, on send).

export type BodyState =
  | { state: 'empty' }
  | { state: 'tooLarge'; size: number; max: number }
  | { state: 'invalidJson'; message: string }
  | { state: 'notObject' }
  | { state: 'ok'; size: number; event: string | null };

/** UTF-8 length of a string, without encoding it whole. */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** The edited body's state: empty, longer than `max` bytes (the bound the draft gives; null
 *  before it is known), not JSON, not an object, or sendable (with the event name it holds,
 *  `event` or `evento`). */
export function bodyState(text: string, max: number | null): BodyState {
  if (!text.trim()) return { state: 'empty' };
  const size = utf8Length(text);
  if (max != null && size > max) return { state: 'tooLarge', size, max };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { state: 'invalidJson', message: e instanceof Error ? e.message : String(e) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { state: 'notObject' };
  const o = value as Record<string, unknown>;
  const name = typeof o.event === 'string' ? o.event : typeof o.evento === 'string' ? o.evento : null;
  return { state: 'ok', size, event: name };
}

/** What identifies a sent event among the requests the inspector receives: its id (the
 *  subscription dialect's `id`), its name (`event` or `evento`) and its key (`data.nfeChave` or
 *  `dados.chave_nfe`); each null when the body does not hold it. */
export interface SentEvent {
  id: string | null;
  event: string | null;
  chave: string | null;
}

function text(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function field(o: Record<string, unknown>, object: string, name: string): string | null {
  const inner = o[object];
  return typeof inner === 'object' && inner !== null ? text((inner as Record<string, unknown>)[name]) : null;
}

/** The identity of the event a body sends; null for a body that is not a JSON object. */
export function sentEvent(body: string): SentEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  return {
    id: text(o.id),
    event: text(o.event) ?? text(o.evento),
    chave: field(o, 'data', 'nfeChave') ?? field(o, 'dados', 'chave_nfe'),
  };
}
