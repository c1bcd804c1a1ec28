// How a signature verdict reads, shared by the inspector and the test-event pane.
import type { Verdict } from './tools';
import { t } from './i18n.svelte';

/** A verdict in the user's language (the Rust message when its code has no translation). */
export function verdictText(v: Verdict): string {
  if (v.state === 'noSecret') return t('verdict.noSecret');
  if (v.state === 'valid') return t('verdict.valid', { label: v.secretLabel });
  return t(`verdict.${v.code}`, { header: v.header, label: v.secretLabel ?? '' }, v.message);
}
