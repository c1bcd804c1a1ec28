import { describe, expect, it } from 'vitest';
import { NO_FILTER, arrivalsOf, eventNames, exportIds, filterRequests, replayUrl, withRequest } from './requests';
import type { RecordedRequest, Verdict } from './tools';

const CHAVE = '52060433009911002506550120000007800267301615';

type Over = Partial<Omit<RecordedRequest, 'event'>> & { event?: string | null; chave?: string; verdict?: Verdict };

function req(id: number, over: Over = {}): RecordedRequest {
  const { event = 'nfe.processada', chave = CHAVE, verdict = { state: 'noSecret' }, ...rest } = over;
  return {
    id,
    receivedAt: '2026-12-03T15:00:00.000Z',
    receivedAtMs: 0,
    method: 'POST',
    path: '/webhooks/nfe',
    remoteAddr: null,
    headers: [['content-type', 'application/json']],
    body: { size: 2, text: '{}', base64: null, pretty: null, prettyTruncated: false },
    verdict,
    event:
      event === null
        ? null
        : { dialect: 'subscription', id: `e${id}`, event, timestamp: null, nfeChave: chave, chave: { state: 'empty' }, fields: [] },
    response: { status: 200, delayMs: 0 },
    ...rest,
  };
}

const valid: Verdict = { state: 'valid', secretLabel: 'x', scheme: 'validaNfe' };
const invalid: Verdict = { state: 'invalid', code: 'signature_mismatch', message: 'm', header: 'h', scheme: 'validaNfe', secretLabel: null };

describe('the inspector filters', () => {
  const list = [
    req(5, { verdict: valid, event: 'nfe.cancelada' }),
    req(4, { verdict: invalid, path: '/outro?x=1' }),
    req(3, { event: null, body: { size: 5, text: 'olá X', base64: null, pretty: null, prettyTruncated: false } }),
    req(2, { verdict: valid, chave: CHAVE.replace(/1615$/, '9999') }),
    req(1, { headers: [['x-trace', 'Abc-123']] }),
  ];
  const ids = (f: Partial<typeof NO_FILTER>) => filterRequests(list, { ...NO_FILTER, ...f }).map((r) => r.id);

  it('keeps every request with no filter, in order', () => {
    expect(ids({})).toEqual([5, 4, 3, 2, 1]);
  });
  it('filters by verdict, event, key in any grouping, path and free text', () => {
    expect(ids({ verdict: 'valid' })).toEqual([5, 2]);
    expect(ids({ verdict: 'invalid' })).toEqual([4]);
    expect(ids({ verdict: 'noSecret' })).toEqual([3, 1]);
    expect(ids({ event: 'nfe.cancelada' })).toEqual([5]);
    expect(ids({ chave: '6730 9999' })).toEqual([2]);
    expect(ids({ chave: CHAVE.match(/.{4}/g)!.join(' ') })).toEqual([5, 4, 1]);
    expect(ids({ path: 'OUTRO' })).toEqual([4]);
    expect(ids({ text: 'abc-1' })).toEqual([1]);
    expect(ids({ text: 'OLÁ x' })).toEqual([3]);
    expect(ids({ verdict: 'valid', event: 'nfe.processada' })).toEqual([2]);
  });
  it('lists the events held, once each, sorted', () => {
    expect(eventNames(list)).toEqual(['nfe.cancelada', 'nfe.processada']);
  });
});

describe('the selection to export', () => {
  it('is the chosen requests still shown, in the list order', () => {
    const shown = [req(9), req(7), req(3)];
    expect(exportIds(shown, new Set([3, 9, 8]))).toEqual([9, 3]);
    expect(exportIds(shown, new Set())).toEqual([]);
  });
});

describe('the live list', () => {
  it('puts a new request first, replaces one of the same id and keeps at most the bound', () => {
    let list: RecordedRequest[] = [];
    for (let id = 1; id <= 5; id++) list = withRequest(list, req(id), 3);
    expect(list.map((r) => r.id)).toEqual([5, 4, 3]);
    list = withRequest(list, req(4, { path: '/again' }), 3);
    expect(list.map((r) => [r.id, r.path])).toEqual([[4, '/again'], [5, '/webhooks/nfe'], [3, '/webhooks/nfe']]);
  });
});

describe('the replay URL', () => {
  it('is the inspector URL with the request path', () => {
    expect(replayUrl('http://127.0.0.1:8765/', '/webhooks/nfe')).toBe('http://127.0.0.1:8765/webhooks/nfe');
    expect(replayUrl('http://127.0.0.1:8765', 'x')).toBe('http://127.0.0.1:8765/x');
    expect(replayUrl(null, '/x')).toBe('');
  });
});

describe('the arrivals of a sent event', () => {
  const OTHER = '35261211222333000181550010000000011122673912';
  const list = [
    req(5, { event: 'nfe.cancelada' }),
    req(4, { chave: OTHER }),
    req(3),
    req(2, { event: null }),
    req(1),
  ];

  it('are the requests with its id and name, newest first', () => {
    expect(arrivalsOf(list, { id: 'e3', event: 'nfe.processada', chave: CHAVE }, 5).map((r) => r.id)).toEqual([3]);
    expect(arrivalsOf(list, { id: 'e5', event: 'nfe.processada', chave: CHAVE }, 5)).toEqual([]);
  });

  it('are matched by key when the event has no id, at most as many as asked', () => {
    const sent = { id: null, event: 'nfe.processada', chave: CHAVE };
    expect(arrivalsOf(list, sent, 5).map((r) => r.id)).toEqual([3, 1]);
    expect(arrivalsOf(list, sent, 1).map((r) => r.id)).toEqual([3]);
    expect(arrivalsOf(list, { id: null, event: 'nfe.processada', chave: null }, 5)).toEqual([]);
  });
});
