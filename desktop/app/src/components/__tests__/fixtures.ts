// Data the component tests share (not a test file: Vitest runs *.test.ts only).
import type { SubscriptionView } from '../../lib/api';

/** A subscription as `get_subscription` gives it: active, one event, no keys unless given. */
export function subscriptionView(over: Partial<SubscriptionView> = {}): SubscriptionView {
  const nfeChaves = over.nfeChaves ?? [];
  return {
    id: 's1',
    name: 'Loja',
    url: 'https://suaapp.com/hook',
    isActive: true,
    events: ['nfe.processada'],
    createdAt: '2026-12-01T10:00:00Z',
    lastDeliveryAt: null,
    keyCount: nfeChaves.length,
    secretMask: 'whsec_••••cdef',
    nfeChaves,
    ...over,
  };
}
