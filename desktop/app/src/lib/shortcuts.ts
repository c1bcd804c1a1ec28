// Keyboard shortcuts: Ctrl+R refresh, Ctrl+N new, Ctrl+F / Ctrl+K search, Esc close, and
// Ctrl+1..5 for the sidebar's sections.

export type Shortcut = 'refresh' | 'new' | 'search' | 'close';

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

export function shortcutFor(e: KeyLike): Shortcut | null {
  if (e.key === 'Escape' && !e.ctrlKey && !e.metaKey && !e.altKey) return 'close';
  const mod = e.ctrlKey || e.metaKey;
  if (!mod || e.altKey || e.shiftKey) return null;
  switch (e.key.toLowerCase()) {
    case 'r':
      return 'refresh';
    case 'n':
      return 'new';
    case 'f':
    case 'k':
      return 'search';
    default:
      return null;
  }
}

/** The 0-based section of Ctrl+1 .. Ctrl+`count` (Cmd on macOS), else null. */
export function sectionShortcut(e: KeyLike, count: number): number | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return null;
  if (!/^[1-9]$/.test(e.key)) return null;
  const n = Number(e.key) - 1;
  return n < count ? n : null;
}
