// The theme as reactive state: the choice, what it resolves to, and the root element's
// `data-theme` (app.css holds both palettes under it). "system" follows prefers-color-scheme
// live, so a change of the desktop's theme shows without a restart.
import { loadTheme, resolveTheme, saveTheme, type Theme, type ThemeChoice } from './theme';

const QUERY = '(prefers-color-scheme: dark)';

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

function systemDark(): boolean {
  return globalThis.matchMedia?.(QUERY).matches ?? false;
}

export const theme = $state<{ choice: ThemeChoice; resolved: Theme }>({ choice: 'system', resolved: 'light' });

function apply(): void {
  theme.resolved = resolveTheme(theme.choice, systemDark());
  const root = globalThis.document?.documentElement;
  if (!root) return;
  root.dataset.theme = theme.resolved;
  root.dataset.themeChoice = theme.choice;
  root.style.colorScheme = theme.resolved;
}

/** Reads the saved choice, applies it, and follows the system's preference from then on. */
export function initTheme(): void {
  theme.choice = loadTheme(storage());
  apply();
  globalThis.matchMedia?.(QUERY).addEventListener?.('change', apply);
}

/** Applies and saves a new choice. */
export function setTheme(choice: ThemeChoice): void {
  theme.choice = choice;
  saveTheme(storage(), choice);
  apply();
}
