/**
 * The renderer's build: renderer/ → out/renderer, with relative asset URLs (`base: './'`) so the same build
 * loads from the web host at `/` and from the Electron app's custom protocol.
 */
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./out/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // No inline scripts or eval: the strict CSP of both hosts allows only 'self'.
    modulePreload: { polyfill: false },
  },
});
