import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

// The app is served by Tauri from `dist/` (no dev server, no remote assets): every asset is
// emitted as a file so the strict CSP (`default-src 'self'`) holds.
export default defineConfig({
  // svelteTesting acts only under Vitest: the browser build of Svelte, cleanup after each test.
  plugins: [svelte(), svelteTesting()],
  clearScreen: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'safari15',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
