// The same first-paint report as the app's main.ts: after the frame that shows the element.
requestAnimationFrame(() => setTimeout(() => window.__TAURI_INTERNALS__.invoke('first_paint')));
