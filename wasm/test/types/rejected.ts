// Must not compile: each line under `// @ts-expect-error` is an error (wasm/test/types.test.mjs
// also checks that, with the directives removed, each of them is one error).
import { generateTestDelivery } from '../../pkg/types/index.js';
import type { UnknownWebhookEvent, WebhookEvent } from '../../pkg/types/index.js';

export function wrong(event: WebhookEvent): unknown {
  switch (event.event) {
    case 'nfe.processada': {
      // @ts-expect-error the status of nfe.processada is 'processada'
      const status: 'cancelada' = event.data.status;
      // @ts-expect-error valor is the exact decimal text, not a number
      const valor: number | undefined = event.data.valor;
      // @ts-expect-error a subscription event has no account fields
      const code = event.data.erroCodigo;
      // @ts-expect-error nfe.processada comes in the subscription dialect
      const dialect: 'account' = event.dialect;
      return [status, valor, code, dialect];
    }
    case 'nfe.consulta.erro': {
      // @ts-expect-error an account event has no subscription fields
      const emitente = event.data.emitente;
      // @ts-expect-error nor the fields of another account event
      const url = event.data.urlDownload;
      return [emitente, url];
    }
    default:
      return undefined;
  }
}

export function unknownIsNotKnown(event: UnknownWebhookEvent): boolean {
  // @ts-expect-error the unknown variant's name overlaps no known name
  return event.event === 'nfe.cancelada';
}

export function unknownIsNotAnyName(event: UnknownWebhookEvent): boolean {
  // @ts-expect-error a name this version does not list is compared through `String(event.event)`
  return event.event === 'nfe.nova';
}

export function unknownIsOpaque(event: UnknownWebhookEvent): string {
  // @ts-expect-error read as text with `String(event.event)`
  const name: string = event.event;
  return name;
}

export function notWidened(event: WebhookEvent): unknown {
  if (event.event === 'nfe.erro') {
    // @ts-expect-error narrowed: only nfe.erro's status
    const status: 'processada' = event.data.status;
    return status;
  }
  return undefined;
}

// @ts-expect-error a test event needs its key
generateTestDelivery({ event: 'nfe.erro', data: {} }, 'whsec');
// @ts-expect-error the dialect is one of two
generateTestDelivery({ dialect: 'conta', event: 'nfe.erro', data: { nfeChave: 'k' } }, 'whsec');
