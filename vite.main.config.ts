/**
 * The build of everything that is not the renderer, for the Electron app (`npm run build:main`), as three Vite
 * environments built together:
 *
 * - main: electron/main/index.ts → out/main/index.mjs (ES module);
 * - preload: electron/preload/index.ts → out/preload/index.cjs, one CommonJS file with the contract and zod
 *   inside, since a sandboxed preload can require nothing but `electron`;
 * - engine: inference/engine-process.ts → out/engine/engine-process.mjs, the utilityProcess entry.
 *
 * Main and the engine leave Electron, Node's modules and every runtime dependency to be loaded at run time
 * (electron-builder ships `dependencies` in the app): native modules (better-sqlite3, sharp,
 * onnxruntime-node) cannot be bundled, and the rest load faster from node_modules than a re-bundle would
 * save. The renderer is built by vite.config.ts into out/renderer.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig, type EnvironmentOptions } from 'vite';

const root = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

const manifest = JSON.parse(readFileSync(root('./package.json'), 'utf8')) as { dependencies: Record<string, string> };
const runtimeDependencies = Object.keys(manifest.dependencies);
const nodeModules = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** Electron, Node, and (for main and the engine) the runtime dependencies and their subpaths. */
function external(withDependencies: boolean): (id: string) => boolean {
  return (id) =>
    id === 'electron' ||
    id.startsWith('electron/') ||
    nodeModules.has(id) ||
    (withDependencies && runtimeDependencies.some((dep) => id === dep || id.startsWith(`${dep}/`)));
}

function node(entry: string, outDir: string, format: 'es' | 'cjs', fileName: string, withDependencies: boolean): EnvironmentOptions {
  return {
    consumer: 'server',
    resolve: { noExternal: true },
    build: {
      outDir: root(outDir),
      emptyOutDir: true,
      // Electron 45 runs Node 22 and a current Chromium.
      target: 'node22',
      minify: false,
      sourcemap: true,
      rollupOptions: {
        input: root(entry),
        external: external(withDependencies),
        output: { format, entryFileNames: fileName },
      },
    },
  };
}

export default defineConfig({
  environments: {
    main: node('./electron/main/index.ts', './out/main', 'es', 'index.mjs', true),
    preload: node('./electron/preload/index.ts', './out/preload', 'cjs', 'index.cjs', false),
    engine: node('./inference/engine-process.ts', './out/engine', 'es', 'engine-process.mjs', true),
  },
  builder: {
    async buildApp(builder) {
      for (const name of ['main', 'preload', 'engine']) {
        const environment = builder.environments[name];
        if (environment === undefined) throw new Error(`no ${name} environment`);
        await builder.build(environment);
      }
    },
  },
});
