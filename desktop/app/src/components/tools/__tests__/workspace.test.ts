// @vitest-environment happy-dom
// The tool views of the workspace rendered in a DOM with the Rust commands mocked at the IPC
// boundary (and uPlot, which needs a real canvas, replaced by a recorder of what it was given).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, waitFor } from '@testing-library/svelte';

const invoke = vi.fn();
const channels: { onmessage: (m: unknown) => void }[] = [];
vi.mock('@tauri-apps/api/core', () => ({
  invoke: (...args: unknown[]) => invoke(...args),
  Channel: class {
    onmessage: (m: unknown) => void = () => {};
    constructor() {
      channels.push(this);
    }
  },
}));
const plots: { data: unknown[][]; destroyed: boolean; updates: number }[] = [];
vi.mock('uplot', () => ({
  default: class {
    record: { data: unknown[][]; destroyed: boolean; updates: number };
    constructor(_opts: unknown, data: unknown[][]) {
      this.record = { data, destroyed: false, updates: 0 };
      plots.push(this.record);
    }
    setData(data: unknown[][]) {
      this.record.data = data;
      this.record.updates++;
    }
    destroy() {
      this.record.destroyed = true;
    }
  },
}));
vi.mock('uplot/dist/uPlot.min.css', () => ({}));

import InspectorWorkspace from '../InspectorWorkspace.svelte';
import DeliveriesPane from '../DeliveriesPane.svelte';
import TestEventPane from '../TestEventPane.svelte';
import KeysWorkspace from '../KeysWorkspace.svelte';
import { resetInspectorForTests } from '../../../lib/inspector.svelte';
import { subscriptionView } from '../../__tests__/fixtures';

const A = '52060433009911002506550120000007800267301615';
const B = '35261211222333000181550010000000011122673912';

/** Chooses an option by selecting it (Svelte reads the checked option; happy-dom's
 *  `select.value` setter does not mark it). */
async function choose(id: string, value: string) {
  const select = document.getElementById(id) as HTMLSelectElement;
  const option = [...select.querySelectorAll('option')].find((o) => o.value === value)!;
  option.selected = true;
  await fireEvent.change(select);
}

beforeEach(() => {
  invoke.mockReset();
  channels.length = 0;
  plots.length = 0;
  resetInspectorForTests();
});

function request(id: number, verdict: 'valid' | 'noSecret', event: string) {
  return {
    id,
    receivedAt: '2026-12-03T15:00:00.000Z',
    receivedAtMs: 0,
    method: 'POST',
    path: '/webhooks/nfe',
    remoteAddr: '127.0.0.1:4000',
    headers: [['content-type', 'application/json']],
    body: { size: 2, text: '{}', base64: null, pretty: '{}', prettyTruncated: false },
    verdict: verdict === 'valid' ? { state: 'valid', secretLabel: 'Loja', scheme: 'validaNfe' } : { state: 'noSecret' },
    event: { dialect: 'subscription', id: `e${id}`, event, timestamp: null, nfeChave: A, chave: { state: 'empty' }, fields: [] },
    response: { status: 200, delayMs: 0 },
  };
}

const running = { running: true, url: 'http://127.0.0.1:8765/', port: 8765, response: null, secretLabel: null, kept: 200 };

describe('InspectorWorkspace', () => {
  it('keeps the live list while unmounted, filters it and exports the chosen requests in list order', async () => {
    invoke.mockImplementation(async (cmd: string, args: { requestIds?: number[] }) => {
      if (cmd === 'inspector_status') return running;
      if (cmd === 'inspector_watch') return null;
      if (cmd === 'inspector_requests') return [request(1, 'noSecret', 'nfe.processada')];
      if (cmd === 'inspector_export') return { path: '/tmp/x.jsonl', count: args.requestIds!.length };
      throw new Error(cmd);
    });
    const props = { subscriptions: [], sandbox: true, onsubscribed: vi.fn() };
    const first = render(InspectorWorkspace, props);
    await waitFor(() => expect(document.querySelectorAll('#inspector-requests li')).toHaveLength(1));
    first.unmount();

    // Arrives while no view shows the inspector.
    channels[0].onmessage({ type: 'request', request: request(2, 'valid', 'nfe.cancelada') });
    channels[0].onmessage({ type: 'request', request: request(3, 'valid', 'nfe.processada') });
    render(InspectorWorkspace, props);
    await waitFor(() => expect(document.querySelectorAll('#inspector-requests li')).toHaveLength(3));
    expect(invoke.mock.calls.filter(([c]) => c === 'inspector_requests')).toHaveLength(1);
    expect([...document.querySelectorAll('#inspector-requests button')].map((b) => b.getAttribute('data-id'))).toEqual(['3', '2', '1']);

    await choose('inspector-filter-verdict', 'valid');
    await waitFor(() => expect(document.querySelectorAll('#inspector-requests li')).toHaveLength(2));
    await choose('inspector-filter-event', 'nfe.cancelada');
    await waitFor(() => expect(document.querySelectorAll('#inspector-requests li')).toHaveLength(1));
    await choose('inspector-filter-event', '');

    const exportButton = document.getElementById('inspector-export') as HTMLButtonElement;
    expect(exportButton.disabled).toBe(true);
    await fireEvent.click(document.getElementById('inspector-select-all')!);
    await waitFor(() => expect(exportButton.disabled).toBe(false));
    await fireEvent.click(exportButton);
    await waitFor(() => expect(document.getElementById('inspector-note')?.getAttribute('data-path')).toBe('/tmp/x.jsonl'));
    expect(invoke).toHaveBeenCalledWith('inspector_export', { requestIds: [3, 2] });
  });

  it('replays the chosen request to the proposed URL with the chosen secret', async () => {
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === 'inspector_status') return running;
      if (cmd === 'inspector_watch') return null;
      if (cmd === 'inspector_requests') return [request(1, 'noSecret', 'nfe.processada')];
      if (cmd === 'inspector_replay')
        return { status: 200, ok: true, latencyMs: 3, headers: [], body: '', bodyTruncated: false, error: null, sentBody: '{}', signatureHeader: 'X-Webhook-Signature', signature: 's' };
      throw new Error(cmd);
    });
    render(InspectorWorkspace, { subscriptions: [], sandbox: false, onsubscribed: vi.fn() });
    await waitFor(() => expect(document.querySelector('#inspector-requests button[data-id="1"]')).not.toBeNull());
    await fireEvent.click(document.querySelector('#inspector-requests button[data-id="1"]')!);
    const url = (await waitFor(() => document.getElementById('inspector-replay-url'))) as HTMLInputElement;
    expect(url.value).toBe('http://127.0.0.1:8765/webhooks/nfe');
    const send = document.getElementById('inspector-replay') as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    expect(document.getElementById('inspector-replay-needs-secret')).not.toBeNull();
    await choose('inspector-secret-kind', 'pasted');
    const pasted = (await waitFor(() => document.getElementById('inspector-secret-pasted'))) as HTMLInputElement;
    await fireEvent.input(pasted, { target: { value: 'whsec_escolhido' } });
    await waitFor(() => expect(send.disabled).toBe(false));
    await fireEvent.click(send);
    await waitFor(() => expect(document.getElementById('inspector-replay-result')?.getAttribute('data-code')).toBe('200'));
    expect(invoke).toHaveBeenCalledWith('inspector_replay', {
      requestId: 1,
      url: 'http://127.0.0.1:8765/webhooks/nfe',
      choice: { kind: 'pasted', secret: 'whsec_escolhido' },
    });
  });

  describe('replay signed with a subscription secret', () => {
    const outcome = { status: 202, ok: true, latencyMs: 3, headers: [], body: '', bodyTruncated: false, error: null, sentBody: '{}', signatureHeader: 'X-Webhook-Signature', signature: 's' };
    const body = `{"event":"nfe.processada","data":{"nfeChave":"${A}","texto":"${'x'.repeat(400)}"}}`;
    const withBody = { ...request(1, 'noSecret', 'nfe.processada'), body: { size: body.length, text: body, base64: null, pretty: null, prettyTruncated: false } };

    async function chooseSubscriptionSecret(sandbox: boolean) {
      invoke.mockImplementation(async (cmd: string) => {
        if (cmd === 'inspector_status') return running;
        if (cmd === 'inspector_watch') return null;
        if (cmd === 'inspector_requests') return [withBody];
        if (cmd === 'inspector_replay') return outcome;
        throw new Error(cmd);
      });
      render(InspectorWorkspace, { subscriptions: [{ id: 's1', name: 'Loja' } as never], sandbox, onsubscribed: vi.fn() });
      await waitFor(() => expect(document.querySelector('#inspector-requests button[data-id="1"]')).not.toBeNull());
      await fireEvent.click(document.querySelector('#inspector-requests button[data-id="1"]')!);
      await choose('inspector-secret-kind', 'subscription');
      await waitFor(() => expect(document.getElementById('inspector-secret-sub')).not.toBeNull());
      await choose('inspector-secret-sub', 's1');
      const send = document.getElementById('inspector-replay') as HTMLButtonElement;
      await waitFor(() => expect(send.disabled).toBe(false));
      return send;
    }
    const replays = () => invoke.mock.calls.filter(([c]) => c === 'inspector_replay');

    it('off the sandbox, asks first, showing the URL and the start of the body', async () => {
      const send = await chooseSubscriptionSecret(false);
      await fireEvent.click(send);
      await waitFor(() => expect(document.getElementById('inspector-replay-confirm')).not.toBeNull());
      const confirm = document.getElementById('inspector-replay-confirm')!;
      expect(document.getElementById('inspector-replay-confirm-url')!.textContent).toBe('http://127.0.0.1:8765/webhooks/nfe');
      const shown = document.getElementById('inspector-replay-confirm-body')!.textContent!;
      expect(shown.startsWith(body.slice(0, 300))).toBe(true);
      expect(shown.length).toBeLessThan(body.length);
      expect(confirm.getAttribute('role')).toBe('alertdialog');
      expect(replays()).toHaveLength(0);

      await fireEvent.click(document.getElementById('inspector-replay-confirm-cancel')!);
      await waitFor(() => expect(document.getElementById('inspector-replay-confirm')).toBeNull());
      expect(replays()).toHaveLength(0);

      await fireEvent.click(send);
      await waitFor(() => expect(document.getElementById('inspector-replay-confirm-send')).not.toBeNull());
      await fireEvent.click(document.getElementById('inspector-replay-confirm-send')!);
      await waitFor(() => expect(document.getElementById('inspector-replay-result')?.getAttribute('data-code')).toBe('202'));
      expect(replays()).toEqual([['inspector_replay', { requestId: 1, url: 'http://127.0.0.1:8765/webhooks/nfe', choice: { kind: 'subscription', id: 's1' } }]]);
    });

    it('on the sandbox (its secrets are its own), replays at once', async () => {
      const send = await chooseSubscriptionSecret(true);
      await fireEvent.click(send);
      await waitFor(() => expect(document.getElementById('inspector-replay-result')?.getAttribute('data-code')).toBe('202'));
      expect(document.getElementById('inspector-replay-confirm')).toBeNull();
      expect(replays()).toHaveLength(1);
    });
  });
});

const sandboxInfo = (kind: string) => ({
  connections: [{ id: 'c', name: 'x', kind, baseUrl: null, keySet: true, keyLast4: null }],
  activeId: 'c',
  keyStorage: 'memory',
  keychainNotice: null,
  sandboxError: null,
  settingsSetAside: null,
  version: '0',
});

function delivery(id: string, attempts: { number: number; startedAt: string; outcome: string; statusCode: number | null; latencyMs: number }[], status = 'delivered') {
  return {
    id,
    dialect: 'subscription',
    subscriptionId: 's1',
    url: 'http://127.0.0.1/hook',
    event: 'nfe.processada',
    nfeChave: A,
    status,
    attemptsMade: attempts.length,
    nextAttemptAt: null,
    createdAt: '2026-12-03T15:00:00Z',
    completedAt: null,
    attempts: attempts.map((a) => ({ error: null, ...a })),
  };
}

describe('DeliveriesPane', () => {
  it('says deliveries are a sandbox feature on another connection', async () => {
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === 'app_info') return sandboxInfo('production');
      throw new Error(cmd);
    });
    render(DeliveriesPane, { subscriptionId: 's1', subscriptions: [] });
    await waitFor(() => expect(document.getElementById('deliveries-pane')?.getAttribute('data-state')).toBe('notSandbox'));
    expect(document.getElementById('deliveries-not-sandbox')!.textContent).toContain('recurso do sandbox');
    expect(invoke.mock.calls.some(([c]) => c === 'list_deliveries')).toBe(false);
  });

  it('charts the attempts, lists across subscriptions, shows a timeline and resends', async () => {
    const first = delivery('d1', [{ number: 1, startedAt: '2026-12-03T15:00:01Z', outcome: 'failed', statusCode: 500, latencyMs: 40 }], 'failed');
    const other = { ...delivery('d2', [{ number: 1, startedAt: '2026-12-03T15:00:02Z', outcome: 'succeeded', statusCode: 200, latencyMs: 9 }]), subscriptionId: 's2', event: 'nfe.cancelada' };
    let list = [other, first];
    invoke.mockImplementation(async (cmd: string, args: { subscriptionId?: string | null; deliveryId?: string }) => {
      if (cmd === 'app_info') return sandboxInfo('sandbox');
      if (cmd === 'list_deliveries') return { deliveries: list, limit: 2 };
      if (cmd === 'resend_delivery') {
        const resent = delivery('d1', [...first.attempts, { number: 2, startedAt: '2026-12-03T15:01:00Z', outcome: 'succeeded', statusCode: 200, latencyMs: 7 }]);
        list = [other, resent];
        return { ...resent, status: 'pending', attemptsMade: 1 };
      }
      throw new Error(`${cmd} ${JSON.stringify(args)}`);
    });
    render(DeliveriesPane, { subscriptionId: null, subscriptions: [{ id: 's2', name: 'Loja 2' } as never] });
    await waitFor(() => expect(document.querySelectorAll('#deliveries-list li')).toHaveLength(2));
    expect(invoke).toHaveBeenCalledWith('list_deliveries', { subscriptionId: null });
    expect(document.querySelector('[data-delivery="d2"]')!.textContent).toContain('Loja 2');
    await waitFor(() => expect(plots.at(-1)?.data[0]).toHaveLength(2));
    expect(document.getElementById('deliveries-stats')!.getAttribute('data-failed')).toBe('1');

    await choose('deliveries-filter-status', 'failed');
    await waitFor(() => expect(document.querySelectorAll('#deliveries-list li')).toHaveLength(1));
    // The same plot, given the new data; the cap of the list said.
    await waitFor(() => expect(plots.at(-1)?.data[0]).toHaveLength(1));
    expect(plots).toHaveLength(1);
    expect(plots[0].updates).toBeGreaterThan(0);
    expect(document.getElementById('deliveries-capped')!.textContent).toContain('2 entregas mais recentes');

    // Another palette: the plot is built again with its colours.
    document.documentElement.dataset.theme = 'dark';
    await waitFor(() => expect(plots).toHaveLength(2));
    expect(plots[0].destroyed).toBe(true);
    expect(plots[1].data[0]).toHaveLength(1);
    delete document.documentElement.dataset.theme;

    await fireEvent.click(document.querySelector('[data-delivery="d1"] button')!);
    await waitFor(() => expect(document.querySelectorAll('#delivery-timeline li')).toHaveLength(1));
    await fireEvent.click(document.getElementById('delivery-resend')!);
    await waitFor(() => expect(invoke).toHaveBeenCalledWith('resend_delivery', { deliveryId: 'd1' }));
    // The same delivery, one more attempt: the timeline shows it (the filter now hides it as
    // delivered, the detail still shows the chosen one).
    await waitFor(() => expect(document.querySelectorAll('#delivery-timeline li')).toHaveLength(2));
    expect(document.querySelector('#delivery-timeline li[data-attempt="2"]')!.getAttribute('data-outcome')).toBe('succeeded');
  });
});

describe('DeliveriesPane polling', () => {
  afterEach(() => vi.useRealTimers());

  it('reloads at the next attempt of a pending delivery, not while hidden, not after unmount', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(Date.parse('2026-12-03T15:00:00Z'));
    const pending = { ...delivery('d1', [{ number: 1, startedAt: '2026-12-03T14:59:50Z', outcome: 'failed', statusCode: 500, latencyMs: 4 }], 'pending'), nextAttemptAt: '2026-12-03T15:00:10Z' };
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === 'app_info') return sandboxInfo('sandbox');
      if (cmd === 'list_deliveries') return { deliveries: [pending], limit: 500 };
      throw new Error(cmd);
    });
    const loads = () => invoke.mock.calls.filter(([c]) => c === 'list_deliveries').length;
    const pane = render(DeliveriesPane, { subscriptionId: 's1', subscriptions: [] });
    await vi.waitFor(() => expect(loads()).toBe(1));
    expect(document.getElementById('deliveries-capped')).toBeNull();

    await vi.advanceTimersByTimeAsync(9_000);
    expect(loads()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_100);
    await vi.waitFor(() => expect(loads()).toBe(2));

    // The attempt is now past: the shortest wait, but nothing while the window is hidden.
    Object.defineProperty(document, 'hidden', { value: true, configurable: true });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(loads()).toBe(2);
    // Back to happy-dom's own (visible).
    delete (document as { hidden?: boolean }).hidden;
    expect(document.hidden).toBe(false);
    document.dispatchEvent(new Event('visibilitychange'));
    await vi.waitFor(() => expect(loads()).toBe(3));

    pane.unmount();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(loads()).toBe(3);
  });
});

const view = subscriptionView();

describe('TestEventPane', () => {
  it('proposes a key, shows the drafted body, checks edits and sends the body as edited', async () => {
    invoke.mockImplementation(async (cmd: string, args: { input?: { event: string; chave: string | null } }) => {
      if (cmd === 'validate_chave') return args && (args as { input?: unknown }).input ? { state: 'valid', detail: { chave: B } } : { state: 'empty' };
      if (cmd === 'test_event_draft') {
        const chave = args.input!.chave ?? B;
        return { chave, body: `{"id":"1","event":"${args.input!.event}","timestamp":"2026-12-03T15:00:00Z","data":{"nfeChave":"${chave}"}}`, maxBodyBytes: 65536 };
      }
      if (cmd === 'send_test_event') return { via: 'sandbox', triggered: { event: 'nfe.processada', nfeChave: B, timestamp: '', deliveries: [] }, delivery: null };
      throw new Error(cmd);
    });
    const onshowinspector = vi.fn();
    render(TestEventPane, { subscription: view, sandbox: true, onshowinspector });
    const chave = document.getElementById('test-event-chave') as HTMLInputElement;
    await waitFor(() => expect(chave.value).toBe(B));
    expect(invoke).toHaveBeenCalledWith('test_event_draft', { input: { event: 'nfe.processada', chave: null } });
    const body = document.getElementById('test-event-body-input') as HTMLTextAreaElement;
    await waitFor(() => expect(body.value).toContain(B));
    const state = () => document.getElementById('test-event-body-state')!.getAttribute('data-state');
    const send = document.getElementById('test-event-send') as HTMLButtonElement;
    expect(state()).toBe('ok');

    await fireEvent.input(body, { target: { value: '{"event":' } });
    await waitFor(() => expect(state()).toBe('invalidJson'));
    expect(send.disabled).toBe(true);
    await fireEvent.input(body, { target: { value: '[]' } });
    await waitFor(() => expect(state()).toBe('notObject'));
    await fireEvent.input(body, { target: { value: ' ' } });
    await waitFor(() => expect(state()).toBe('empty'));
    await fireEvent.input(body, { target: { value: `{"x":"${'a'.repeat(70_000)}"}` } });
    await waitFor(() => expect(state()).toBe('tooLarge'));
    expect(send.disabled).toBe(true);
    // The bound is the draft's (the core's), on the editor too.
    expect(document.getElementById('test-event-body-state')!.textContent).toContain('65536');
    expect(body.maxLength).toBe(65536);

    const edited = `{"id":"meu","event":"nfe.processada","timestamp":"2026-12-03T15:00:00Z","data":{"nfeChave":"${B}","valor":9.99}}`;
    await fireEvent.input(body, { target: { value: edited } });
    await waitFor(() => expect(state()).toBe('ok'));
    await fireEvent.click(send);
    await waitFor(() => expect(invoke).toHaveBeenCalledWith('send_test_event', { subscriptionId: 's1', input: { body: edited } }));
    await fireEvent.click((await waitFor(() => document.getElementById('test-event-show-inspector')))!);
    expect(onshowinspector).toHaveBeenCalled();
  });

  it('lists the sent event as the inspector receives it, with its verdict, and opens it there', async () => {
    const sentBody = `{"id":"e7","event":"nfe.processada","timestamp":"2026-12-03T15:00:00Z","data":{"nfeChave":"${A}"}}`;
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === 'inspector_status') return running;
      if (cmd === 'inspector_watch') return null;
      if (cmd === 'inspector_requests') return [];
      if (cmd === 'validate_chave') return { state: 'empty' };
      if (cmd === 'test_event_draft') return { chave: A, body: sentBody, maxBodyBytes: 65536 };
      if (cmd === 'send_test_event') return { via: 'sandbox', triggered: { event: 'nfe.processada', nfeChave: A, timestamp: '', deliveries: [] }, delivery: null };
      throw new Error(cmd);
    });
    const onshowinspector = vi.fn();
    const pane = render(TestEventPane, { subscription: view, sandbox: true, onshowinspector });
    const send = document.getElementById('test-event-send') as HTMLButtonElement;
    await waitFor(() => expect(send.disabled).toBe(false));
    await waitFor(() => expect(channels).toHaveLength(1));
    await fireEvent.click(send);
    const arrivals = await waitFor(() => document.getElementById('test-event-arrivals')!);
    expect(arrivals.getAttribute('data-count')).toBe('0');
    expect(document.getElementById('test-event-arrivals-none')!.textContent).toContain('Aguardando');

    // Another event first (another id), then the one sent: only the sent one is listed.
    channels[0].onmessage({ type: 'request', request: request(8, 'valid', 'nfe.processada') });
    channels[0].onmessage({ type: 'request', request: request(7, 'valid', 'nfe.processada') });
    await waitFor(() => expect(arrivals.getAttribute('data-count')).toBe('1'));
    const item = arrivals.querySelector('li[data-request="7"]')!;
    expect(item.getAttribute('data-verdict')).toBe('valid');
    expect(item.textContent).toContain('Assinatura válida');

    await fireEvent.click(item.querySelector('[data-open-request="7"]')!);
    expect(onshowinspector).toHaveBeenCalled();
    pane.unmount();
    render(InspectorWorkspace, { subscriptions: [], sandbox: true, onsubscribed: vi.fn() });
    await waitFor(() => expect(document.getElementById('inspector-detail')?.getAttribute('data-request')).toBe('7'));
  });

  it('keeps an edit made right after the first draft (the proposed key drafts nothing more)', async () => {
    let draftCalls = 0;
    const later: (() => void)[] = [];
    invoke.mockImplementation((cmd: string, args: { input?: { event: string; chave: string | null } }) => {
      if (cmd === 'validate_chave') return Promise.resolve({ state: 'empty' });
      if (cmd === 'test_event_draft') {
        const input = args.input!;
        const d = { chave: input.chave ?? B, body: `{"event":"${input.event}","data":{"nfeChave":"${input.chave ?? B}"}}`, maxBodyBytes: 65536 };
        // The first draft answers at once; a later one only when the test lets it.
        if (draftCalls++ === 0) return Promise.resolve(d);
        return new Promise((resolve) => later.push(() => resolve(d)));
      }
      return Promise.reject(new Error(cmd));
    });
    render(TestEventPane, { subscription: view, sandbox: true });
    const pane = document.getElementById('test-event-pane')!;
    await waitFor(() => expect(pane.getAttribute('data-drafted')).toBe('true'));
    const body = document.getElementById('test-event-body-input') as HTMLTextAreaElement;
    const edited = '{"event":"nfe.processada","meu":true}';
    await fireEvent.input(body, { target: { value: edited } });
    for (const answer of later) answer();
    await new Promise((r) => setTimeout(r, 20));
    expect(body.value).toBe(edited);
    expect(invoke.mock.calls.filter(([c]) => c === 'test_event_draft')).toHaveLength(1);
  });

  it('shows the typed error the core gives for a body it refuses', async () => {
    invoke.mockImplementation(async (cmd: string, args: { input?: { event: string; chave: string | null } }) => {
      if (cmd === 'validate_chave') return { state: 'empty' };
      if (cmd === 'test_event_draft') return { chave: B, body: `{"event":"${args.input!.event}"}`, maxBodyBytes: 65536 };
      if (cmd === 'send_test_event')
        throw { kind: 'validation', message: 'invalid NF-e key: wrong check digit', fields: { body: ['invalid_chave'] } };
      throw new Error(cmd);
    });
    render(TestEventPane, { subscription: view, sandbox: false });
    const send = document.getElementById('test-event-send') as HTMLButtonElement;
    await waitFor(() => expect(send.disabled).toBe(false));
    const body = document.getElementById('test-event-body-input') as HTMLTextAreaElement;
    const edited = '{"event":"nfe.processada","data":{"nfeChave":"123"}}';
    await fireEvent.input(body, { target: { value: edited } });
    await fireEvent.click(send);
    await waitFor(() => expect(document.getElementById('test-event-body-error')).not.toBeNull());
    const problem = document.getElementById('test-event-body-error')!;
    // The refused body stays as the user left it, to be fixed.
    expect(body.value).toBe(edited);
    expect(invoke).toHaveBeenCalledWith('send_test_event', { subscriptionId: 's1', input: { body: edited } });
    expect(problem.getAttribute('data-code')).toBe('invalid_chave');
    expect(problem.textContent).toContain('A chave da NF-e do corpo é inválida');
    expect(problem.textContent).toContain('wrong check digit');
  });
});

describe('KeysWorkspace', () => {
  const row = (n: number) => ({
    row: n,
    origin: { source: 'colado', line: n, column: null },
    input: `k${n}`,
    status: { kind: 'invalid', problem: { code: 'length', message: 'x', length: 2 } },
  });
  const counts = { valid: 0, invalid: 700, duplicate: 0, existing: 0, skipped: 0 };

  it('checks many keys with no subscription and pages through the rows', async () => {
    invoke.mockImplementation(async (cmd: string, args: { offset?: number; input?: string }) => {
      if (cmd === 'validate_chave') return args.input ? { state: 'valid', detail: { chave: A, grouped: A, uf: 'GO', ufNome: 'Goiás', mes: 4, ano: 2006, emitente: 'x', emitenteKind: 'CNPJ', modelo: 55, modeloNome: 'NF-e', serie: 1, numero: 1, tipoEmissao: 1, tipoEmissaoDescricao: 'Normal' } } : { state: 'empty' };
      if (cmd === 'tool_limits') return { maxSourceBytes: 16 * 1024 * 1024 };
      if (cmd === 'check_keys')
        return { previewId: 4, page: { offset: 0, total: 700, rows: Array.from({ length: 500 }, (_, i) => row(i + 1)), counts, skipped: [] } };
      if (cmd === 'check_keys_page')
        return { offset: args.offset, total: 700, rows: Array.from({ length: 200 }, (_, i) => row(args.offset! + i + 1)), counts, skipped: [] };
      throw new Error(cmd);
    });
    render(KeysWorkspace);
    await fireEvent.input(document.getElementById('keys-input')!, { target: { value: A } });
    await waitFor(() => expect(document.querySelector('#keys-verdict[data-state="valid"]')).not.toBeNull());
    await fireEvent.input(document.getElementById('keys-text')!, { target: { value: 'k1\nk2' } });
    await fireEvent.click(document.getElementById('keys-check')!);
    await waitFor(() => expect(document.querySelectorAll('#keys-rows tbody tr')).toHaveLength(500));
    expect(invoke).toHaveBeenCalledWith('check_keys', { sources: [{ name: 'texto colado', text: 'k1\nk2' }] });
    await fireEvent.click(document.getElementById('keys-more')!);
    await waitFor(() => expect(document.querySelectorAll('#keys-rows tbody tr')).toHaveLength(700));
    expect(invoke).toHaveBeenCalledWith('check_keys_page', { checkId: 4, offset: 500, limit: 500 });
    expect(document.querySelector('#keys-rows tr[data-row="700"]')).not.toBeNull();
    expect(document.getElementById('keys-more')).toBeNull();
  });

  it('refuses a file over the bound the Rust side gives, without reading it', async () => {
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === 'validate_chave') return { state: 'empty' };
      if (cmd === 'tool_limits') return { maxSourceBytes: 10 };
      throw new Error(cmd);
    });
    render(KeysWorkspace);
    const file = new File(['5206043300991100250655012000000780026730161'], 'notas.csv');
    const read = vi.spyOn(file, 'arrayBuffer');
    await fireEvent.change(document.getElementById('keys-files')!, { target: { files: [file] } });
    await fireEvent.click(document.getElementById('keys-check')!);
    await waitFor(() => expect(document.getElementById('keys-too-large')).not.toBeNull());
    expect(document.getElementById('keys-too-large')!.textContent).toContain('notas.csv');
    expect(document.getElementById('keys-too-large')!.getAttribute('data-max')).toBe('10');
    expect(read).not.toHaveBeenCalled();
    expect(invoke.mock.calls.some(([c]) => c === 'check_keys')).toBe(false);
  });
});
