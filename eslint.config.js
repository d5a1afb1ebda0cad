// @ts-check
import tseslint from 'typescript-eslint';

/**
 * The direction of imports between runtimes (CONVENTIONS.md › Processes and layering):
 * renderer → (types of) electron/contract; electron/* → db, inference/protocol; inference and db import
 * nothing of electron or of each other. Only electron/main and electron/preload touch the Electron API.
 */
const layer = (files, patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});
const forbid = (group, message) => ({ group, message });

const electronApi = forbid(['electron', 'electron/*'], 'Only electron/main and electron/preload use the Electron API.');
const inferenceInternals = forbid(
  ['**/inference/*', '!**/inference/protocol', '**/inference/*/**'],
  'Outside inference/, only inference/protocol may be imported: the engine runs in its own process.',
);

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'coverage/', 'training/', 'resources/'] },
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  layer(['inference/**'], [
    forbid(['**/electron/**', '**/db/**', '**/renderer/**', 'electron'], 'inference/ imports nothing of electron, db or renderer.'),
  ]),
  layer(['db/**'], [
    forbid(['**/electron/**', '**/inference/**', '**/renderer/**', 'electron'], 'db/ imports nothing of electron, inference or renderer.'),
  ]),
  layer(['electron/contract/**'], [
    forbid(['**/electron/*/**', '!**/electron/contract/**', '**/db/**', '**/inference/**', 'electron'], 'The contract is plain TypeScript, imported everywhere; it imports nothing else.'),
  ]),
  layer(['electron/core/**', 'electron/sync/**', 'electron/web/**', 'electron/cli/**'], [electronApi, inferenceInternals, forbid(['**/renderer/**'], 'Main-side code does not import the renderer.')]),
  layer(['electron/main/**', 'electron/preload/**'], [inferenceInternals, forbid(['**/renderer/**'], 'Main-side code does not import the renderer.')]),
  // The renderer runs in a sandboxed page: DOM only; it reaches main through the contract's client alone.
  layer(['renderer/**', 'test/unit/renderer/**'], [
    {
      regex: '^(node:.*|electron(/.*)?|fs|path|os|child_process|crypto|url|stream|http|https|net|ws|better-sqlite3|sharp|onnxruntime-node)$',
      message: 'The renderer has no Node or Electron: it reaches main through window.studio.',
    },
    {
      regex: '(^|/)(db|inference)(/|$)|/electron/(?!contract(/|$)|web/client$)',
      message: 'The renderer imports only electron/contract and electron/web/client.',
    },
  ]),
  {
    // Tools that print to the terminal on purpose.
    files: ['electron/cli/**', 'test/bench/**', 'test/platform/**'],
    rules: { 'no-console': 'off' },
  },
);
