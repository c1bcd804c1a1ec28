// Must compile under `tsc --noEmit --strict` (wasm/test/types.test.mjs): what the types promise.
import {
  Webhook,
  generateTestDelivery,
  EVENT_NAMES,
  ACCOUNT_SIGNATURE_HEADER,
} from '../../pkg/types/index.js';
import type {
  AccountWebhookEvent,
  Dialect,
  KnownEventName,
  SubscriptionWebhookEvent,
  TestDelivery,
  UnknownWebhookEvent,
  WebhookEvent,
} from '../../pkg/types/index.js';

declare const webhook: Webhook;
declare const rawBody: Uint8Array;
declare const headers: Record<string, string | string[] | undefined>;

/** Every case narrows to its own event: its dialect, its literal status, its own fields. */
export function describe(event: WebhookEvent): string {
  switch (event.event) {
    case 'nfe.processada': {
      const dialect: 'subscription' = event.dialect;
      const status: 'processada' = event.data.status;
      const valor: string | undefined = event.data.valor;
      return `${dialect} ${status} ${valor} ${event.data.emitente?.razaoSocial}`;
    }
    case 'nfe.cancelada': {
      const status: 'cancelada' = event.data.status;
      return status;
    }
    case 'nfe.erro': {
      const status: 'erro' = event.data.status;
      return status;
    }
    case 'nfe.consulta.concluida': {
      const dialect: 'account' = event.dialect;
      return `${dialect} ${event.data.status} ${event.data.tipoConsulta}`;
    }
    case 'nfe.consulta.erro': {
      const code: string | undefined = event.data.erroCodigo;
      return `${code} ${event.data.erroMensagem}`;
    }
    case 'guarda.upload.concluido':
      return `${event.data.arquivoId} ${event.data.urlDownload}`;
    default: {
      // Every known case handled: what is left is the unknown event, of either dialect.
      const unknown: UnknownWebhookEvent = event;
      const name: string = String(unknown.event);
      const dialect: Dialect = unknown.dialect;
      return `${name} ${dialect} ${unknown.data.nfeChave} ${unknown.data.status}`;
    }
  }
}

/** `dialect` narrows too, and `data.nfeChave` is there in both. */
export function byDialect(event: WebhookEvent): string {
  if (event.dialect === 'account') {
    const chave: string = event.data.nfeChave;
    return chave;
  }
  return event.data.status;
}

export function known(event: SubscriptionWebhookEvent | AccountWebhookEvent): KnownEventName {
  return event.event;
}

/** A name this version does not list is compared through `String`. */
export function isFuture(event: WebhookEvent): boolean {
  return String(event.event) === 'nfe.nova' && `${event.event}`.startsWith('nfe.');
}

export const verified: WebhookEvent = webhook.verify(rawBody, headers);
export const names: readonly KnownEventName[] = EVENT_NAMES;
export const header: 'x-validanfe-signature' = ACCOUNT_SIGNATURE_HEADER;

export const account: TestDelivery = generateTestDelivery(
  { event: 'nfe.consulta.erro', data: { nfeChave: 'k', erroCodigo: '404' } },
  'whsec',
);
export const subscription: TestDelivery = generateTestDelivery(
  { event: 'nfe.processada', id: 'd1', timestamp: new Date(), data: { nfeChave: 'k', valor: 1500 } },
  'whsec',
);
export const future: TestDelivery = generateTestDelivery(
  { dialect: 'account', event: 'guarda.nova', data: { nfeChave: 'k' } },
  'whsec',
);
export const body: string = account.body;
export const posted: Record<string, string> = account.headers;
