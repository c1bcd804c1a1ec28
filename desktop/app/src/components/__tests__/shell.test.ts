// @vitest-environment happy-dom
// The shell's pieces in a DOM, with the Rust commands mocked at the IPC boundary.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args) }));

import Sidebar from '../shell/Sidebar.svelte';
import Tabs from '../shell/Tabs.svelte';
import ConnectionBadge from '../shell/ConnectionBadge.svelte';
import SettingsView from '../shell/SettingsView.svelte';
import SubscriptionPane from '../shell/SubscriptionPane.svelte';
import type { AppInfo } from '../../lib/api';
import { THEME_STORAGE_KEY } from '../../lib/theme';
import { FIRST_CHECK_DELAY_MS, HEALTH_INTERVAL_MS } from '../../lib/health';
import { subscriptionView } from './fixtures';

beforeEach(() => {
  invoke.mockReset();
  localStorage.clear();
});

const info = (activeId = 'sandbox', keyStorage: AppInfo['keyStorage'] = 'memory'): AppInfo => ({
  connections: [
    { id: 'sandbox', name: 'Sandbox local', kind: 'sandbox', baseUrl: 'http://127.0.0.1:9', keySet: true, keyLast4: '0000' },
    { id: 'c1', name: 'Homologação', kind: 'custom', baseUrl: 'https://hml.example.com', keySet: true, keyLast4: 'WXYZ' },
  ],
  activeId,
  keyStorage,
  keychainNotice: null,
  sandboxError: null,
  settingsSetAside: null,
  version: '0.1.0',
});

describe('Sidebar', () => {
  it('marks the shown section, moves focus with the arrows and opens on click', async () => {
    const onselect = vi.fn();
    render(Sidebar, { current: 'inspector', onselect });
    const items = [...document.querySelectorAll<HTMLButtonElement>('#sidebar button')];
    expect(items.map((b) => b.dataset.section)).toEqual(['subscriptions', 'deliveries', 'inspector', 'keys', 'settings']);
    expect(items.map((b) => b.getAttribute('aria-current'))).toEqual([null, null, 'page', null, null]);
    // One tab stop: the shown section.
    expect(items.map((b) => b.tabIndex)).toEqual([-1, -1, 0, -1, -1]);
    items[2].focus();
    await fireEvent.keyDown(items[2], { key: 'ArrowDown' });
    expect(document.activeElement).toBe(items[3]);
    await fireEvent.keyDown(items[3], { key: 'End' });
    expect(document.activeElement).toBe(items[4]);
    await fireEvent.keyDown(items[4], { key: 'ArrowDown' });
    expect(document.activeElement).toBe(items[0]);
    expect(onselect).not.toHaveBeenCalled();
    await fireEvent.click(items[0]);
    expect(onselect).toHaveBeenCalledWith('subscriptions');
    expect(screen.getByRole('navigation').getAttribute('aria-label')).toBe('Navegação principal');
  });
});

describe('Tabs', () => {
  it('is a tablist whose arrows select and focus the next tab', async () => {
    const tabs = [
      { id: 'overview', label: 'Visão geral' },
      { id: 'keys', label: 'Chaves de NF-e' },
      { id: 'test', label: 'Testar' },
    ];
    const onselect = vi.fn();
    const { rerender } = render(Tabs, { tabs, selected: 'overview', onselect, prefix: 'detail', label: 'Seções' });
    const buttons = screen.getAllByRole('tab');
    expect(buttons.map((b) => b.getAttribute('aria-selected'))).toEqual(['true', 'false', 'false']);
    expect(buttons[1].getAttribute('aria-controls')).toBe('detail-panel-keys');
    await fireEvent.keyDown(buttons[0], { key: 'ArrowRight' });
    expect(onselect).toHaveBeenLastCalledWith('keys');
    expect(document.activeElement).toBe(buttons[1]);
    await fireEvent.keyDown(buttons[0], { key: 'ArrowLeft' });
    expect(onselect).toHaveBeenLastCalledWith('test');
    await rerender({ tabs, selected: 'test', onselect, prefix: 'detail', label: 'Seções' });
    expect(screen.getAllByRole('tab').map((b) => b.tabIndex)).toEqual([-1, -1, 0]);
  });
});

describe('ConnectionBadge', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const started = () => vi.advanceTimersByTimeAsync(FIRST_CHECK_DELAY_MS);

  it('shows the kind and an ok check with its latency, and checks again on a timer', async () => {
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === 'check_connection') return { connectionId: 'sandbox', latencyMs: 7 };
      throw new Error(cmd);
    });
    render(ConnectionBadge, { info: info(), onselect: vi.fn(), onconnections: vi.fn() });
    const badge = document.getElementById('connection-badge')!;
    expect(badge.dataset.kind).toBe('sandbox');
    expect(document.getElementById('connection-kind')!.textContent).toBe('sandbox');
    // The first check waits for the app's first list.
    expect(badge.dataset.health).toBe('checking');
    expect(invoke).not.toHaveBeenCalled();
    await started();
    await waitFor(() => expect(badge.dataset.health).toBe('ok'));
    expect(document.getElementById('connection-health')!.textContent).toContain('7 ms');
    expect(invoke).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(HEALTH_INTERVAL_MS);
    expect(invoke).toHaveBeenCalledTimes(2);
  });

  it('waits longer after each failure and as long as a 429 asks, then the interval again', async () => {
    const answers: Array<() => unknown> = [
      () => Promise.reject({ kind: 'offline', message: 'the service could not be reached' }),
      () => Promise.reject({ kind: 'rateLimited', message: 'rate limited', retryAfter: 200 }),
      () => Promise.resolve({ connectionId: 'sandbox', latencyMs: 3 }),
      () => Promise.resolve({ connectionId: 'sandbox', latencyMs: 3 }),
    ];
    invoke.mockImplementation(async () => answers.shift()!());
    render(ConnectionBadge, { info: info(), onselect: vi.fn(), onconnections: vi.fn() });
    await started();
    expect(invoke).toHaveBeenCalledTimes(1);
    // One failure: twice the interval, not the interval.
    await vi.advanceTimersByTimeAsync(HEALTH_INTERVAL_MS);
    expect(invoke).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(HEALTH_INTERVAL_MS);
    expect(invoke).toHaveBeenCalledTimes(2);
    // A 429 asking for 200 s: its wait, longer than the backoff of 120 s.
    await vi.advanceTimersByTimeAsync(199_000);
    expect(invoke).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(invoke).toHaveBeenCalledTimes(3);
    await waitFor(() => expect(document.getElementById('connection-badge')!.dataset.health).toBe('ok'));
    // Healthy again: back to the interval.
    await vi.advanceTimersByTimeAsync(HEALTH_INTERVAL_MS);
    expect(invoke).toHaveBeenCalledTimes(4);
  });

  it('does not check while the window is hidden, and checks on showing it once the wait is over', async () => {
    let hidden = false;
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    try {
      invoke.mockResolvedValue({ connectionId: 'sandbox', latencyMs: 3 });
      render(ConnectionBadge, { info: info(), onselect: vi.fn(), onconnections: vi.fn() });
      await started();
      expect(invoke).toHaveBeenCalledTimes(1);
      hidden = true;
      document.dispatchEvent(new Event('visibilitychange'));
      await vi.advanceTimersByTimeAsync(HEALTH_INTERVAL_MS * 5);
      expect(invoke).toHaveBeenCalledTimes(1);
      hidden = false;
      document.dispatchEvent(new Event('visibilitychange'));
      await vi.advanceTimersByTimeAsync(0);
      expect(invoke).toHaveBeenCalledTimes(2);
      // Shown again before the next wait is over: only what is left of it.
      hidden = true;
      document.dispatchEvent(new Event('visibilitychange'));
      await vi.advanceTimersByTimeAsync(10_000);
      hidden = false;
      document.dispatchEvent(new Event('visibilitychange'));
      await vi.advanceTimersByTimeAsync(HEALTH_INTERVAL_MS - 10_000 - 1);
      expect(invoke).toHaveBeenCalledTimes(2);
      await vi.advanceTimersByTimeAsync(1);
      expect(invoke).toHaveBeenCalledTimes(3);
    } finally {
      delete (document as unknown as { hidden?: boolean }).hidden;
    }
  });

  it('shows a failing check with the typed message and never the key', async () => {
    invoke.mockRejectedValue({ kind: 'unauthorized', message: 'the API key is missing or was refused', serverMessage: 'Invalid API key' });
    render(ConnectionBadge, { info: info('c1'), onselect: vi.fn(), onconnections: vi.fn() });
    await started();
    await waitFor(() => expect(document.getElementById('connection-badge')!.dataset.health).toBe('failing'));
    expect(document.getElementById('connection-kind')!.textContent).toBe('personalizada');
    const reason = document.getElementById('connection-health-reason')!.textContent!;
    expect(reason).toContain('Chave de API ausente ou recusada');
    expect(reason).toContain('Invalid API key');
    expect(document.body.innerHTML).not.toMatch(/chave-invalida/);
  });

  it('checks again on demand, and switching connections goes through its callback', async () => {
    let n = 0;
    invoke.mockImplementation(async () => {
      n += 1;
      if (n === 1) throw { kind: 'offline', message: 'the service could not be reached: no answer within 5 s' };
      return { connectionId: 'sandbox', latencyMs: 4 };
    });
    const onselect = vi.fn();
    render(ConnectionBadge, { info: info(), onselect, onconnections: vi.fn() });
    await started();
    await waitFor(() => expect(document.getElementById('connection-badge')!.dataset.health).toBe('failing'));
    expect(document.getElementById('connection-health-reason')!.textContent).toContain('Sem conexão');
    await fireEvent.click(document.getElementById('connection-health')!);
    await waitFor(() => expect(document.getElementById('connection-badge')!.dataset.health).toBe('ok'));
    const select = document.getElementById('connection-select') as HTMLSelectElement;
    select.value = 'c1';
    await fireEvent.change(select);
    expect(onselect).toHaveBeenCalledWith('c1');
  });
});

describe('SettingsView', () => {
  it('persists the theme, applies it to the page and shows the keychain state', async () => {
    invoke.mockResolvedValue(null);
    render(SettingsView, { info: info('sandbox', 'memory'), onchanged: vi.fn() });
    expect(document.getElementById('keychain-state')!.dataset.storage).toBe('memory');
    const select = document.getElementById('theme-select') as HTMLSelectElement;
    expect(select.value).toBe('system');
    select.value = 'dark';
    await fireEvent.change(select);
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    select.value = 'light';
    await fireEvent.change(select);
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('light');
    expect(document.documentElement.dataset.theme).toBe('light');
  });

  it('switches the language', async () => {
    invoke.mockResolvedValue(null);
    render(SettingsView, { info: info('sandbox', 'keychain'), onchanged: vi.fn() });
    expect(document.getElementById('keychain-state')!.textContent).toContain('chaveiro do sistema');
    const select = document.getElementById('locale-select') as HTMLSelectElement;
    select.value = 'en';
    await fireEvent.change(select);
    await waitFor(() => expect(document.getElementById('keychain-state')!.textContent).toContain('system keychain'));
    expect(document.documentElement.lang).toBe('en');
    select.value = 'pt-BR';
    await fireEvent.change(select);
  });
});

describe('SubscriptionPane', () => {
  const B = '35261211222333000181550010000000011122673912';
  const view = subscriptionView({ name: 'Importação' });

  it('keeps the test event typed in Testar when another tab is shown and then Testar again', async () => {
    invoke.mockImplementation(async (cmd: string, args: { input?: { event: string; chave: string | null } }) => {
      if (cmd === 'get_subscription') return view;
      if (cmd === 'validate_chave') return { state: 'empty' };
      if (cmd === 'test_event_draft') {
        const chave = args.input!.chave ?? B;
        return { chave, body: `{"event":"${args.input!.event}","data":{"nfeChave":"${chave}"}}` };
      }
      if (cmd === 'list_chaves') return [];
      throw new Error(cmd);
    });
    render(SubscriptionPane, {
      id: 's1',
      version: 0,
      sandbox: true,
      tab: 'test',
      onedit: vi.fn(),
      ondelete: vi.fn(),
      onclose: vi.fn(),
      onconnections: vi.fn(),
      onchanged: vi.fn(),
      onshowinspector: vi.fn(),
      subscriptions: [],
    });
    await waitFor(() => expect(document.querySelector('#test-event-pane[data-drafted="true"]')).not.toBeNull());
    const typed = '{"event":"nfe.processada","data":{"edited":true}}';
    await fireEvent.input(document.getElementById('test-event-body-input')!, { target: { value: typed } });

    await fireEvent.click(document.getElementById('detail-tab-keys')!);
    await waitFor(() => expect(document.getElementById('detail-tab-keys')!.getAttribute('aria-selected')).toBe('true'));
    expect(document.getElementById('detail-panel-test')!.hidden).toBe(true);
    expect(document.getElementById('detail-panel-keys')!.hidden).toBe(false);
    await fireEvent.click(document.getElementById('detail-tab-test')!);
    await waitFor(() => expect(document.getElementById('detail-panel-test')!.hidden).toBe(false));
    expect((document.getElementById('test-event-body-input') as HTMLTextAreaElement).value).toBe(typed);
  });
});
