// Typed wrappers of the Rust commands. All HTTP happens in Rust; the webview only invokes.
import { invoke } from '@tauri-apps/api/core';
import type { Command } from './commands';

export const EVENTS = ['nfe.processada', 'nfe.cancelada', 'nfe.erro'] as const;
export type EventName = (typeof EVENTS)[number];
/** The account webhook's events (spec section 5), delivered as `{evento, timestamp, dados}`. */
export const ACCOUNT_EVENTS = ['nfe.consulta.concluida', 'nfe.consulta.erro', 'guarda.upload.concluido'] as const;
export type AccountEventName = (typeof ACCOUNT_EVENTS)[number];
export type Dialect = 'subscription' | 'account';

export type ConnectionKind = 'sandbox' | 'production' | 'custom';

export interface ConnectionView {
  id: string;
  name: string;
  kind: ConnectionKind;
  baseUrl: string | null;
  keySet: boolean;
  keyLast4: string | null;
}

export interface AppInfo {
  connections: ConnectionView[];
  activeId: string;
  keyStorage: 'keychain' | 'memory';
  keychainNotice: string | null;
  sandboxError: string | null;
  /** Where an unreadable connections file was moved at start (the app began with the defaults). */
  settingsSetAside: string | null;
  version: string;
}

/** A healthy answer of the active connection's check (see `Desktop::check_connection`). */
export interface ConnectionHealth {
  connectionId: string;
  latencyMs: number;
}

export interface SubscriptionRow {
  id: string;
  name: string;
  url: string;
  isActive: boolean;
  events: string[];
  createdAt: string;
  lastDeliveryAt: string | null;
  keyCount: number | null;
}

export interface SubscriptionView extends SubscriptionRow {
  secretMask: string;
  nfeChaves: string[];
}

export interface SubscriptionForm {
  name: string;
  url: string;
  events: string[];
  isActive: boolean;
  secret?: string | null;
}

export interface FormCheck {
  errors: Record<string, string[]>;
  warnings: string[];
}

export interface Created {
  subscription: SubscriptionRow;
  generatedSecret: string | null;
}

/** The error every command rejects with (see `error.rs`). */
export interface CommandError {
  kind: string;
  message: string;
  serverMessage?: string;
  retryAfter?: number | null;
  fields?: Record<string, string[]>;
  status?: number;
  missingKey?: boolean;
}

export function asCommandError(e: unknown): CommandError {
  if (e && typeof e === 'object' && 'kind' in e && typeof (e as CommandError).kind === 'string') {
    return e as CommandError;
  }
  return { kind: 'unknown', message: String(e) };
}

/** Invokes a Rust command; its error comes back as a `CommandError`. */
export async function call<T>(cmd: Command, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw asCommandError(e);
  }
}

export const api = {
  appInfo: () => call<AppInfo>('app_info'),
  addConnection: (input: { name: string; kind: ConnectionKind; baseUrl?: string; apiKey?: string }) =>
    call<ConnectionView>('add_connection', { input }),
  updateConnection: (
    id: string,
    update: { name?: string; baseUrl?: string; apiKey?: string; clearKey?: boolean },
  ) => call<ConnectionView>('update_connection', { id, update }),
  removeConnection: (id: string) => call<void>('remove_connection', { id }),
  selectConnection: (id: string) => call<void>('select_connection', { id }),
  checkConnection: () => call<ConnectionHealth>('check_connection'),
  listSubscriptions: () => call<SubscriptionRow[]>('list_subscriptions'),
  getSubscription: (id: string) => call<SubscriptionView>('get_subscription', { id }),
  validateSubscription: (form: SubscriptionForm) => call<FormCheck>('validate_subscription', { form }),
  createSubscription: (form: SubscriptionForm) => call<Created>('create_subscription', { form }),
  updateSubscription: (id: string, form: SubscriptionForm) =>
    call<SubscriptionView>('update_subscription', { id, form }),
  setSubscriptionActive: (id: string, active: boolean) =>
    call<void>('set_subscription_active', { id, active }),
  deleteSubscription: (id: string) => call<void>('delete_subscription', { id }),
  revealSecret: (id: string) => call<string>('reveal_secret', { id }),
  copySecret: (id: string) => call<void>('copy_secret', { id }),
  copySensitive: (text: string) => call<void>('copy_sensitive', { text }),
  uiReady: () => call<void>('ui_ready'),
};
