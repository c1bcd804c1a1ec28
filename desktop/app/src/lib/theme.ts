// The colour theme: the user's choice (system, light or dark), kept in local storage, and the
// theme it resolves to. Pure functions, so persistence and resolution are tested without a DOM.

export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

export const THEMES: readonly ThemeChoice[] = ['system', 'light', 'dark'];
export const THEME_STORAGE_KEY = 'nfehook.theme';

export function isThemeChoice(v: unknown): v is ThemeChoice {
  return v === 'system' || v === 'light' || v === 'dark';
}

/** The saved choice, or `system` when none is saved, it is not one of ours, or storage throws. */
export function loadTheme(storage: Pick<Storage, 'getItem'> | undefined): ThemeChoice {
  try {
    const saved = storage?.getItem(THEME_STORAGE_KEY);
    if (isThemeChoice(saved)) return saved;
  } catch {
    // Storage refused (private mode, quota): the default applies.
  }
  return 'system';
}

/** Saves the choice; false when storage refused it (the choice then holds for this session). */
export function saveTheme(storage: Pick<Storage, 'setItem'> | undefined, choice: ThemeChoice): boolean {
  try {
    if (!storage) return false;
    storage.setItem(THEME_STORAGE_KEY, choice);
    return true;
  } catch {
    return false;
  }
}

/** What the page shows: the choice, or the system's preference when the choice is `system`. */
export function resolveTheme(choice: ThemeChoice, systemDark: boolean): Theme {
  if (choice === 'system') return systemDark ? 'dark' : 'light';
  return choice;
}
