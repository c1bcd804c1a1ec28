// @vitest-environment happy-dom
// Components rendered in a DOM with the Rust commands mocked at the IPC boundary.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args) }));

import ErrorNotice from '../ErrorNotice.svelte';
import SubscriptionForm from '../SubscriptionForm.svelte';
import SubscriptionList from '../SubscriptionList.svelte';
import { DEFAULT_QUERY } from '../../lib/list';
import type { SubscriptionRow } from '../../lib/api';
import { reactive } from './reactive.svelte';

beforeEach(() => {
  invoke.mockReset();
});
afterEach(() => vi.useRealTimers());

describe('ErrorNotice', () => {
  it('counts down Retry-After and enables retry at zero', async () => {
    vi.useFakeTimers();
    const onretry = vi.fn();
    render(ErrorNotice, { error: { kind: 'rateLimited', message: 'x', retryAfter: 3 }, onretry });
    expect(screen.getByRole('alert').textContent).toContain('Tente de novo em 3 s');
    const button = screen.getByRole('button') as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    await vi.advanceTimersByTimeAsync(1_100);
    expect(screen.getByRole('alert').textContent).toContain('em 2 s');
    await vi.advanceTimersByTimeAsync(2_100);
    expect(screen.getByRole('alert').textContent).toContain('Pode tentar de novo agora');
    expect(button.disabled).toBe(false);
    await fireEvent.click(button);
    expect(onretry).toHaveBeenCalledOnce();
  });

  it('links a wrong key to the connection settings', async () => {
    const onconnections = vi.fn();
    render(ErrorNotice, { error: { kind: 'unauthorized', message: 'x', serverMessage: 'Invalid API key' }, onconnections });
    expect(screen.getByRole('alert').textContent).toContain('Invalid API key');
    await fireEvent.click(screen.getByText('Abrir configurações da conexão'));
    expect(onconnections).toHaveBeenCalledOnce();
  });
});

describe('SubscriptionForm', () => {
  const props = () => ({
    editing: null,
    oncreated: vi.fn(),
    onupdated: vi.fn(),
    oncancel: vi.fn(),
    onconnections: vi.fn(),
  });

  it('shows the server field errors beside the field and keeps the input', async () => {
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === 'validate_subscription') return { errors: {}, warnings: [] };
      if (cmd === 'create_subscription')
        throw { kind: 'validation', message: 'invalid', fields: { Url: ['URL recusada pelo servidor'] } };
      throw new Error(`unexpected ${cmd}`);
    });
    const p = props();
    render(SubscriptionForm, p);
    const name = screen.getByLabelText('Nome') as HTMLInputElement;
    const url = screen.getByLabelText('URL de entrega') as HTMLInputElement;
    await fireEvent.input(name, { target: { value: 'ERP' } });
    await fireEvent.input(url, { target: { value: 'https://erp.example.com/h' } });
    await fireEvent.click(screen.getByText('Criar'));
    await waitFor(() => expect(document.getElementById('error-url')!.textContent).toBe('URL recusada pelo servidor'));
    expect(name.value).toBe('ERP');
    expect(url.value).toBe('https://erp.example.com/h');
    expect(p.oncreated).not.toHaveBeenCalled();
    const create = invoke.mock.calls.find(([c]) => c === 'create_subscription')!;
    expect(create[1]).toEqual({
      form: { name: 'ERP', url: 'https://erp.example.com/h', events: ['nfe.processada', 'nfe.cancelada', 'nfe.erro'], isActive: true, secret: null },
    });
  });

  it('blocks submit on local problems (core codes) and warns on http', async () => {
    invoke.mockImplementation(async (cmd: string, args: { form: { url: string } }) => {
      if (cmd === 'validate_subscription')
        return args.form.url.startsWith('http://')
          ? { errors: { name: ['blank'] }, warnings: ['insecureUrl'] }
          : { errors: { name: ['blank'], url: ['invalid_url'] }, warnings: [] };
      throw new Error(`unexpected ${cmd}`);
    });
    render(SubscriptionForm, props());
    await fireEvent.input(screen.getByLabelText('URL de entrega'), { target: { value: 'http://a.b' } });
    await waitFor(() => expect(document.getElementById('insecure-url')).not.toBeNull());
    await fireEvent.click(screen.getByText('Criar'));
    await waitFor(() => expect(document.getElementById('error-name')!.textContent).toBe('Campo obrigatório.'));
    expect(invoke.mock.calls.some(([c]) => c === 'create_subscription')).toBe(false);
  });

  it('shows a conflict by kind and keeps the form open', async () => {
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === 'validate_subscription') return { errors: {}, warnings: [] };
      throw { kind: 'conflict', message: 'conflict', serverMessage: 'URL já cadastrada' };
    });
    render(SubscriptionForm, props());
    await fireEvent.input(screen.getByLabelText('Nome'), { target: { value: 'A' } });
    await fireEvent.click(screen.getByText('Criar'));
    await waitFor(() => expect(document.querySelector('[data-kind="conflict"]')).not.toBeNull());
    expect(document.querySelector('[data-kind="conflict"]')!.textContent).toContain('URL já cadastrada');
    expect(document.getElementById('form-kept')).not.toBeNull();
  });
});

describe('SubscriptionList', () => {
  const base = {
    loading: false,
    error: null,
    now: Date.parse('2024-03-10T16:45:30Z'),
    query: reactive({ ...DEFAULT_QUERY }),
    busyIds: new Set<string>(),
    onopen: vi.fn(),
    onedit: vi.fn(),
    ondelete: vi.fn(),
    ontoggle: vi.fn(),
    onretry: vi.fn(),
    onnew: vi.fn(),
    onconnections: vi.fn(),
  };
  const rows: SubscriptionRow[] = Array.from({ length: 500 }, (_, i) => ({
    id: `id-${i}`,
    name: `Assinatura ${String(i).padStart(3, '0')}`,
    url: `https://c${i}.example.com/h`,
    isActive: i % 2 === 0,
    events: ['nfe.processada'],
    createdAt: '2024-03-01T00:00:00Z',
    lastDeliveryAt: i === 0 ? '2024-03-10T16:40:30Z' : null,
    keyCount: 0,
  }));

  it('marks the selected row with aria-current (rows of a table are not selectable options)', () => {
    render(SubscriptionList, { ...base, rows: rows.slice(0, 3), selectedId: 'id-1' });
    const row = (id: string) => document.querySelector(`[role="row"][data-id="${id}"]`)!;
    expect(row('id-1').getAttribute('aria-current')).toBe('true');
    expect(row('id-0').hasAttribute('aria-current')).toBe(false);
    expect(document.querySelector('[role="table"] [aria-selected]')).toBeNull();
  });

  it('has loading, empty and error states', () => {
    const { unmount } = render(SubscriptionList, { ...base, rows: [], loading: true });
    expect(document.getElementById('list-loading')).not.toBeNull();
    unmount();
    const empty = render(SubscriptionList, { ...base, rows: [] });
    expect(document.getElementById('list-empty')).not.toBeNull();
    empty.unmount();
    render(SubscriptionList, { ...base, rows: [], error: { kind: 'offline', message: 'x' } });
    expect(document.querySelector('[data-kind="offline"]')!.textContent).toContain('Sem conexão');
    expect(document.getElementById('list-empty')).toBeNull();
  });

  it('renders a window of rows, with relative time and the exact one on hover', () => {
    render(SubscriptionList, { ...base, rows });
    const rendered = document.querySelectorAll('[data-row-name]');
    expect(rendered.length).toBeGreaterThan(0);
    expect(rendered.length).toBeLessThan(60);
    const first = rendered[0];
    expect(first.getAttribute('data-row-name')).toBe('Assinatura 000');
    const time = first.querySelector('[title]:not(.chip):not(.url)')!;
    expect(time.textContent).toBe('há 5 minutos');
    expect(time.getAttribute('title')).toMatch(/2024/);
    expect(document.getElementById('list-count')!.textContent).toBe('500 de 500 assinaturas');
  });

  it('toggles through its callback', async () => {
    render(SubscriptionList, { ...base, rows: rows.slice(0, 3) });
    const toggles = document.querySelectorAll('[data-action="toggle"]');
    expect(toggles[1].getAttribute('aria-checked')).toBe('false');
    await fireEvent.click(toggles[1]);
    expect(base.ontoggle).toHaveBeenCalledWith(rows[1]);
  });
});
