// Relative times ("há 5 minutos") with the exact time for the tooltip.
import { intlLocale } from './locale';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** "há 3 horas" / "3 hours ago" for `iso` seen from `now`. */
export function relativeTime(iso: string, now: number, locale: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const diff = Math.round((t - now) / 1000);
  const abs = Math.abs(diff);
  const fmt = new Intl.RelativeTimeFormat(intlLocale(locale), { numeric: 'auto' });
  if (abs < 45) return fmt.format(0, 'second');
  for (const [unit, secs] of UNITS) {
    if (abs >= secs) return fmt.format(Math.round(diff / secs), unit);
  }
  return fmt.format(diff, 'second');
}

/** Exact local date and time, for `title` tooltips. */
export function exactTime(iso: string, locale: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: 'full', timeStyle: 'medium' }).format(t);
}
