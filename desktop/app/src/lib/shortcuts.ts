// Keyboard shortcuts: Ctrl+R refresh, Ctrl+N new, Ctrl+F / Ctrl+K search, Esc close.

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
