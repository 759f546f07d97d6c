import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// Built into dist/renderer and served by the app:// protocol (or the test bridge).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Relative: the test bridge serves the app under a per-launch path, the app:// protocol at its root.
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // No inline scripts or styles: the CSP allows 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
