/**
 * The Electron app's entry (electron/main/index.ts) as it is shipped — the bundle vite.main.config.ts builds,
 * in the folder layout of a packaged app — run under Node against a stand-in `electron` module
 * (stand-in/electron.ts), since Electron's binary cannot run here. The child process (stand-in/run-main.ts)
 * plays Electron's and the page's parts; the Studio, the library and the engine (the engine bundle, on its
 * utilityProcess path) are real. What this checks is the wiring that the other tests of this folder cannot:
 * that index.ts hands each decision to the right Electron object, in the right order.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBuilder } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRIVILEGED_SCHEME } from '../../../../electron/main/protocol';
import { contentSecurityPolicy, windowOptions } from '../../../../electron/main/security';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const RUN_MAIN = fileURLToPath(new URL('./stand-in/run-main.ts', import.meta.url));

interface Report {
  beforeReady: { name: string; args: unknown[] }[];
  userData: string;
  webPreferences: Record<string, unknown>;
  loadedUrl: string;
  page: { status: number; csp: string; body: string };
  escapeStatus: number;
  permissions: Record<string, boolean | undefined>;
  navigation: { externalPrevented: boolean; inAppPrevented: boolean; subframePrevented: boolean };
  windowOpen: unknown;
  modelIds: string[];
  untrusted: string;
  submitted: { ok: boolean };
  eventsSent: string[];
  revealed: unknown;
  quitHeld: boolean;
  windowState: unknown;
  record: { name: string; args: unknown[] }[];
}

let dir: string;
let report: Report;
let stderr: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'studio-main-'));
  // A packaged app's layout: the bundles two folders below the resources, the dependencies beside them.
  const app = path.join(dir, 'app');
  for (const name of ['node_modules', 'resources', 'package.json']) await symlink(path.join(root, name), path.join(dir, name));
  await mkdir(path.join(app, 'renderer'), { recursive: true });
  await writeFile(path.join(app, 'renderer', 'index.html'), '<!doctype html><title>the built renderer</title>');
  const builder = await createBuilder({
    configFile: path.join(root, 'vite.main.config.ts'),
    logLevel: 'silent',
    environments: Object.fromEntries(['main', 'preload', 'engine'].map((name) => [name, { build: { outDir: path.join(app, name), sourcemap: false } }])),
  });
  await builder.buildApp();

  const run = await new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', RUN_MAIN, path.join(app, 'main', 'index.mjs')],
      {
        cwd: root,
        env: {
          ...process.env,
          STAND_IN_APP_DATA: path.join(dir, 'appData'),
          STUDIO_LIBRARY: path.join(dir, 'library'),
          STUDIO_MODELS: path.join(dir, 'models'),
          STUDIO_SECRETS: path.join(dir, 'secrets.json'),
          // A platform on this machine over http (nothing listens there): its thumbnails are let in.
          STUDIO_PLATFORM_URL: 'http://127.0.0.1:9',
          STUDIO_THREADS: '1',
        },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => resolve({ stdout, stderr, code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1 }),
    );
  });
  stderr = run.stderr;
  if (run.code !== 0) throw new Error(`the main bundle did not run (exit code ${run.code}):\n${run.stderr}`);
  report = JSON.parse(run.stdout) as Report;
}, 180_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

const names = (records: { name: string }[]) => records.map((r) => r.name);

describe('the main bundle under a stand-in Electron', () => {
  it('before ready: names the app, sandboxes every renderer, registers the scheme, takes the single-instance lock', () => {
    expect(names(report.beforeReady)).toEqual(['app.setName', 'app.enableSandbox', 'protocol.registerSchemesAsPrivileged', 'app.requestSingleInstanceLock']);
    expect(report.beforeReady[2]?.args).toEqual([[PRIVILEGED_SCHEME], false]);
    expect(report.userData).toBe(path.join(dir, 'appData', 'Studio'));
  });

  it('opens one window with the secure options on studio://app, served with the CSP', () => {
    expect(report.webPreferences).toEqual({ ...windowOptions('', { width: 1, height: 1 }).webPreferences, preload: path.join(dir, 'app', 'preload', 'index.cjs') });
    expect(report.loadedUrl).toBe('studio://app/');
    expect(report.page).toEqual({ status: 200, csp: contentSecurityPolicy('http://127.0.0.1:9'), body: '<!doctype html><title>the built renderer</title>' });
    expect(report.escapeStatus).toBe(403);
  });

  it('installs the permission, navigation and new-window guards', () => {
    expect(report.permissions).toEqual({ media: false, fullscreen: true, fullscreenElsewhere: false, check: false, device: false });
    expect(report.navigation).toEqual({ externalPrevented: true, inAppPrevented: false, subframePrevented: true });
    expect(report.windowOpen).toEqual({ action: 'deny' });
    const opened = report.record.filter((r) => r.name === 'shell.openExternal').map((r) => r.args[0]);
    expect(opened).toEqual(['https://example.com/docs', 'https://example.com/new']);
  });

  it("answers the page's calls, refuses other senders, and sends the Studio's events to the window", () => {
    expect(report.modelIds).toContain('embedded');
    expect(report.untrusted).toMatch(/may not call the studio/);
    expect(report.submitted.ok).toBe(true);
    expect(report.eventsSent).toEqual(expect.arrayContaining(['job.queued', 'job.started', 'job.progress', 'image.created', 'job.done']));
    expect(report.revealed).toEqual({ ok: true, value: {} });
    const shown = report.record.find((r) => r.name === 'shell.showItemInFolder')?.args[0];
    expect(String(shown)).toMatch(new RegExp(`^${path.join(dir, 'library', 'originals')}/`));
    expect(stderr).toContain('refused an IPC call on studio:call from https://evil.example/');
  });

  it('runs the engine bundle in a utilityProcess; the quit is held until the library is closed and the engine stopped', async () => {
    expect(report.record.find((r) => r.name === 'utilityProcess.fork')?.args).toEqual(['engine-process.mjs', 'Studio engine (cpu)']);
    expect(report.quitHeld).toBe(true);
    expect(names(report.record)).toContain('utilityProcess.exit');
    // SQLite removes the write-ahead log when the last connection closes: the process did not just exit.
    expect((await readdir(path.join(dir, 'library'))).filter((f) => f.startsWith('library.sqlite'))).toEqual(['library.sqlite']);
  });

  it('keeps the window bounds and sets the menu', () => {
    expect(report.windowState).toEqual({ window: { x: 0, y: 0, width: 1280, height: 840, maximized: false } });
    const menu = report.record.find((r) => r.name === 'Menu.setApplicationMenu')?.args[0] as { template: { role: string }[] };
    expect(menu.template.map((m) => m.role)).toEqual(['fileMenu', 'editMenu', 'viewMenu', 'windowMenu', 'help']);
  });
});
