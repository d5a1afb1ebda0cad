/**
 * What `npm run dist` would package, checked here where it cannot run: electron-builder.yml against
 * electron-builder's own schema and against what the app needs, and the bundles vite.main.config.ts builds —
 * the sandboxed preload run with nothing but a stand-in `electron` to require, main and the engine importing
 * only what the packaged app ships.
 */
import { readFile, readdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { Ajv } from 'ajv';
import { createBuilder } from 'vite';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../../electron/contract';
import { ELECTRON_MAIN } from '../../../../electron/cli/commands/start';
import { IPC } from '../../../../electron/main/wire';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const builderConfig = async () => parse(await readFile(path.join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown> & { asarUnpack: string[]; files: string[] };
const manifest = async () => JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; scripts: Record<string, string> };

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's schema, which rejects what it does not know", async () => {
    const schema = JSON.parse(await readFile(path.join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const config = await builderConfig();
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...config, asarUnpak: [] })).toBe(false);
  });

  it('packages the bundles, runs main, ships the embedded model outside the archive, and targets every platform', async () => {
    const config = await builderConfig();
    expect(config['extraMetadata']).toEqual({ main: path.relative(root, ELECTRON_MAIN) });
    expect(config.files).toEqual(expect.arrayContaining(['package.json', 'out/main/**', 'out/preload/**', 'out/engine/**', 'out/renderer/**']));
    expect(config['extraResources']).toEqual([{ from: 'resources/models', to: 'models', filter: ['**/*'] }]);
    expect(config['linux']).toMatchObject({ target: ['AppImage', 'deb'] });
    expect(config['win']).toMatchObject({ target: 'nsis' });
    expect(config['mac']).toMatchObject({ target: 'dmg' });
    expect(config['npmRebuild']).toBe(true);
    expect((await manifest()).scripts['dist']).toMatch(/^npm run build && electron-builder --config electron-builder\.yml/);
  });

  it('unpacks every production package that holds a native binary', async () => {
    const lock = JSON.parse(await readFile(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; optional?: boolean }> };
    const unpacked = (await builderConfig()).asarUnpack.map((glob) => glob.replace(/\/\*\*$/, '/'));
    const hasBinary = async (dir: string, depth = 0): Promise<boolean> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return false;
      }
      for (const entry of entries) {
        if (entry.isFile() && entry.name.endsWith('.node')) return true;
        if (entry.isDirectory() && entry.name !== 'node_modules' && depth < 6 && (await hasBinary(path.join(dir, entry.name), depth + 1))) return true;
      }
      return false;
    };
    const native: string[] = [];
    for (const [pkg, info] of Object.entries(lock.packages)) {
      if (pkg === '' || info.dev === true || pkg.split('node_modules/').length > 2) continue;
      if (await hasBinary(path.join(root, pkg))) native.push(pkg);
    }
    expect(native).toEqual(expect.arrayContaining(['node_modules/better-sqlite3', 'node_modules/onnxruntime-node']));
    for (const pkg of native) expect(unpacked.some((prefix) => `${pkg}/`.startsWith(prefix)), pkg).toBe(true);
  });
});

describe('the bundles (vite.main.config.ts)', () => {
  let out: string;
  const read = (file: string) => readFile(path.join(out, file), 'utf8');
  const imports = (code: string) => [...code.matchAll(/^import\s[^'"]*?from\s*"([^"]+)"|^import\s*"([^"]+)"/gm)].map((m) => m[1] ?? m[2]);

  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'studio-bundles-'));
    const builder = await createBuilder({
      configFile: path.join(root, 'vite.main.config.ts'),
      logLevel: 'silent',
      environments: Object.fromEntries(['main', 'preload', 'engine'].map((name) => [name, { build: { outDir: path.join(out, name), sourcemap: false } }])),
    });
    await builder.buildApp();
  }, 120_000);
  afterAll(() => rm(out, { recursive: true, force: true }));

  it('builds the preload as one CommonJS file that needs only electron, and exposes exactly window.studio and window.studioDesktop', async () => {
    const code = await read('preload/index.cjs');
    const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));

    // A sandboxed preload's world: no Node, `require` answers only for electron.
    const exposed = new Map<string, Record<string, unknown>>();
    const invoked: unknown[][] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: Record<string, unknown>) => exposed.set(key, api) },
      ipcRenderer: {
        invoke: async (...args: unknown[]) => {
          invoked.push(args);
          return { ok: true, value: DEFAULT_SETTINGS };
        },
        on: () => undefined,
        removeListener: () => undefined,
      },
      webUtils: { getPathForFile: () => '/dropped/file.png' },
    };
    const module = { exports: {} };
    runInNewContext(code, {
      module,
      exports: module.exports,
      require: (id: string) => {
        if (id === 'electron') return electron;
        throw new Error(`a sandboxed preload cannot require ${id}`);
      },
      console,
    });
    expect([...exposed.keys()]).toEqual(['studio', 'studioDesktop']);
    const studio = exposed.get('studio') as { getSettings(): Promise<unknown>; fileUrl(p: string): string };
    expect(await studio.getSettings()).toEqual({ ok: true, value: DEFAULT_SETTINGS });
    expect(invoked).toEqual([[IPC.call, 'getSettings', undefined]]);
    expect(studio.fileUrl('originals/ab/ab 1.png')).toBe('studio://library/originals/ab/ab%201.png');
    expect((exposed.get('studioDesktop') as { pathForFile(f: unknown): string }).pathForFile({})).toBe('/dropped/file.png');
  });

  it('builds main and the engine as ES modules that import only electron, Node and runtime dependencies', async () => {
    const dependencies = Object.keys((await manifest()).dependencies);
    const allowed = (id: string) => id === 'electron' || id.startsWith('node:') || dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`));
    const main = imports(await read('main/index.mjs'));
    const engine = imports(await read('engine/engine-process.mjs'));
    expect(main).toEqual(expect.arrayContaining(['electron', 'electron-store', 'better-sqlite3']));
    expect(engine).toContain('onnxruntime-node');
    expect(engine).not.toContain('electron');
    for (const id of [...main, ...engine]) expect(allowed(id), id).toBe(true);
  });
});
