// @vitest-environment happy-dom
// Both ValidaNFe dialects in the views: the test-event pane offers the six events, the
// sandbox connection sets its account webhook, with the Rust commands mocked at the IPC boundary.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, waitFor } from '@testing-library/svelte';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({
  invoke: (...args: unknown[]) => invoke(...args),
  Channel: class {
    onmessage: (m: unknown) => void = () => {};
  },
}));

import TestEventPane from '../TestEventPane.svelte';
import AccountWebhook from '../../AccountWebhook.svelte';
import { subscriptionView } from '../../__tests__/fixtures';

const A = '52060433009911002506550120000007800267301615';
const subscription = (nfeChaves: string[]) => subscriptionView({ nfeChaves });
/** The draft Rust would give: a body of the event in its dialect. */
const draftOf = (event: string, chave: string) => ({
  chave,
  body: event.startsWith('nfe.consulta') || event.startsWith('guarda')
    ? `{"evento":"${event}","timestamp":"2026-12-03T15:00:00Z","dados":{"chave_nfe":"${chave}"}}`
    : `{"id":"1","event":"${event}","timestamp":"2026-12-03T15:00:00Z","data":{"nfeChave":"${chave}","status":"x"}}`,
});

/** Chooses an option by selecting it (happy-dom's `select.value` setter skips optgroups). */
async function choose(select: HTMLSelectElement, value: string) {
  const option = [...select.querySelectorAll('option')].find((o) => o.value === value)!;
  option.selected = true;
  await fireEvent.change(select);
}

beforeEach(() => {
  invoke.mockReset();
});

describe('TestEventPane', () => {
  it('offers the six events grouped by dialect and sends an account event', async () => {
    invoke.mockImplementation(async (cmd: string, args: { input?: { event: string; chave: string | null } }) => {
      if (cmd === 'validate_chave') return { state: 'valid', detail: { chave: A } };
      if (cmd === 'test_event_draft') return draftOf(args.input!.event, args.input!.chave ?? A);
      if (cmd === 'send_test_event')
        return {
          via: 'sandbox',
          triggered: { event: 'nfe.consulta.erro', nfeChave: A, timestamp: '2024-03-10T16:45:30Z', deliveries: [] },
          delivery: null,
        };
      throw new Error(cmd);
    });
    render(TestEventPane, { subscription: subscription([]), sandbox: true });
    const select = document.getElementById('test-event-kind') as HTMLSelectElement;
    const groups = [...select.querySelectorAll('optgroup')].map((g) => [...g.querySelectorAll('option')].map((o) => o.value));
    expect(groups).toEqual([
      ['nfe.processada', 'nfe.cancelada', 'nfe.erro'],
      ['nfe.consulta.concluida', 'nfe.consulta.erro', 'guarda.upload.concluido'],
    ]);
    expect(select.querySelectorAll('optgroup')[1].getAttribute('label')).toBe('Webhook da conta (X-ValidaNFe-Signature)');
    await choose(select, 'nfe.consulta.erro');
    const send = document.getElementById('test-event-send') as HTMLButtonElement;
    const body = document.getElementById('test-event-body-input') as HTMLTextAreaElement;
    await waitFor(() => expect(body.value).toContain('"evento":"nfe.consulta.erro"'));
    await waitFor(() => expect(send.disabled).toBe(false));
    await fireEvent.click(send);
    await waitFor(() => expect(document.getElementById('test-event-no-delivery')).not.toBeNull());
    expect(invoke).toHaveBeenCalledWith('send_test_event', { subscriptionId: 's1', input: { body: draftOf('nfe.consulta.erro', A).body } });
    expect(document.getElementById('test-event-no-delivery')!.textContent).toContain('webhook da conta do sandbox');
  });

  it('shows the header a direct account delivery was signed in', async () => {
    invoke.mockImplementation(async (cmd: string, args: { input?: { event: string; chave: string | null } }) => {
      if (cmd === 'validate_chave') return { state: 'valid', detail: { chave: A } };
      if (cmd === 'test_event_draft') return draftOf(args.input!.event, args.input!.chave ?? A);
      if (cmd === 'send_test_event')
        return {
          via: 'direct',
          url: 'https://suaapp.com/hook',
          outcome: {
            status: 200, ok: true, latencyMs: 5, headers: [], body: '', bodyTruncated: false, error: null,
            sentBody: '{"evento":"guarda.upload.concluido"}', signatureHeader: 'X-ValidaNFe-Signature', signature: 'sha256=ab',
          },
        };
      throw new Error(cmd);
    });
    render(TestEventPane, { subscription: subscription([A]), sandbox: false });
    const select = document.getElementById('test-event-kind') as HTMLSelectElement;
    await choose(select, 'guarda.upload.concluido');
    const send = document.getElementById('test-event-send') as HTMLButtonElement;
    const body = document.getElementById('test-event-body-input') as HTMLTextAreaElement;
    await waitFor(() => expect(body.value).toContain('guarda.upload.concluido'));
    await waitFor(() => expect(send.disabled).toBe(false));
    await fireEvent.click(send);
    await waitFor(() => expect(document.getElementById('test-event-sent')).not.toBeNull());
    expect(document.getElementById('test-event-sent')!.textContent).toContain('X-ValidaNFe-Signature: sha256=ab');
    expect(invoke).toHaveBeenCalledWith('send_test_event', { subscriptionId: 's1', input: { body: draftOf('guarda.upload.concluido', A).body } });
  });
});

describe('AccountWebhook', () => {
  it('loads the webhook, saves it and shows a generated secret once', async () => {
    let stored: { url: string; events: string[]; secretLast4: string } | null = null;
    invoke.mockImplementation(async (cmd: string, args: { input?: { url: string; events: string[]; secret?: string } }) => {
      if (cmd === 'get_account_webhook') return stored;
      if (cmd === 'set_account_webhook') {
        const first = stored === null;
        stored = { url: args.input!.url, events: args.input!.events, secretLast4: 'cdef' };
        return { webhook: stored, secret: first && !args.input!.secret ? 'whsec_0123456789abcdef' : null };
      }
      throw new Error(cmd);
    });
    render(AccountWebhook);
    await waitFor(() => expect(document.getElementById('account-webhook-current')!.textContent).toContain('Nenhum webhook da conta'));
    await fireEvent.input(document.getElementById('account-webhook-url')!, { target: { value: 'https://suaapp.com/conta' } });
    await fireEvent.click(document.querySelector('[data-event="nfe.consulta.concluida"]')!);
    await fireEvent.click(document.getElementById('account-webhook-save')!);
    await waitFor(() => expect(document.getElementById('account-webhook-generated')?.textContent).toBe('whsec_0123456789abcdef'));
    expect(invoke).toHaveBeenCalledWith('set_account_webhook', {
      input: { url: 'https://suaapp.com/conta', events: ['nfe.consulta.erro', 'guarda.upload.concluido'], secret: undefined },
    });
    expect(document.getElementById('account-webhook-current')!.textContent).toContain('…cdef');

    // Saved again: the secret is kept and not shown.
    await fireEvent.click(document.getElementById('account-webhook-save')!);
    await waitFor(() => expect(document.getElementById('account-webhook-generated')).toBeNull());
  });
});
