// First: makes navigator.language a tag Intl accepts before any other module reads it.
import './lib/locale-guard';
import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { api } from './lib/api';
import { i18n } from './lib/i18n.svelte';
import { initTheme } from './lib/theme.svelte';

document.documentElement.lang = i18n.locale;
// Before the first mount, so the first frame is already in the chosen theme.
initTheme();
const app = mount(App, { target: document.getElementById('app')! });

// After the frame that first shows the app: the end of the startup trace (the blank window
// that `make figures-desktop` measures beside the app reports the same moment).
requestAnimationFrame(() =>
  setTimeout(() => {
    performance.mark('first-paint');
    api.uiReady().catch(() => {});
  }),
);

export default app;
