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

function electronSeam() {
  const typesOnly = {
    name: 'electron',
    allowTypeImports: true,
    message: 'Only electron/main/index.ts and electron/preload/index.ts use Electron at run time: decisions go in modules that take its types only.',
  };
  const noNode = { group: ['node:*'], message: 'The preload is sandboxed: it can require nothing but electron.' };
  const rule = (options) => ({ '@typescript-eslint/no-restricted-imports': ['error', options] });
  return [
    { files: ['electron/main/**'], ignores: ['electron/main/index.ts'], rules: rule({ paths: [typesOnly] }) },
    { files: ['electron/preload/**'], ignores: ['electron/preload/index.ts'], rules: rule({ paths: [typesOnly], patterns: [noNode] }) },
    { files: ['electron/preload/index.ts'], rules: rule({ patterns: [noNode] }) },
  ];
}

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
  // The seam: only the two entry points use Electron at run time; the modules beside them take its types only,
  // so that they run under Node in tests. The preload is sandboxed: no Node modules at all.
  ...electronSeam(),
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
