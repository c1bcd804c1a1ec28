// Imported first by main.ts, before any module that reads navigator.language at load: under a
// C or POSIX system locale the webview reports "C", which Intl refuses with a RangeError.
import { guardNavigatorLanguage } from './locale';

guardNavigatorLanguage(globalThis.navigator);
