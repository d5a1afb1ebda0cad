/**
 * The renderer's build: renderer/ → out/renderer, with relative asset URLs (`base: './'`) so the same build
 * loads from the web host at `/` and from the Electron app's custom protocol.
 */
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig(({ command }) => {
  // The build is always React's production build, even when a test runner that sets NODE_ENV=test (vitest)
  // spawns it: Vite would otherwise honour that NODE_ENV and bundle React's development build and JSX runtime.
  if (command === 'build') process.env['NODE_ENV'] = 'production';
  return {
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
  };
});
