/**
 * The Electron app: one instance, one window, the Studio core behind it. Everything decided here is decided in
 * the plain modules beside this file (security, protocol, ipc, desktop, lifecycle, window-state, menu,
 * utility-engine, secret-store), which are tested under Node; this file only hands them Electron's objects.
 *
 * Bundled by vite.main.config.ts to out/main/index.mjs, next to out/preload/index.cjs, out/engine and
 * out/renderer.
 *
 * Runtime: Electron main.
 */
import { BrowserWindow, ClipboardItem, Menu, app, clipboard, dialog, ipcMain, nativeImage, protocol, safeStorage, screen, session, shell, utilityProcess, type WebContents } from 'electron';
import Store from 'electron-store';
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveLibraryDir } from '../../db/index';
import { toStudioError } from '../core/errors';
import { modelsFolder } from '../core/models';
import { JsonSettingsFile } from '../core/settings';
import { Studio } from '../core/studio';
import { createDesktopDispatcher, createDesktopHandlers } from './desktop';
import { registerIpc } from './ipc';
import { createQuitGuard } from './lifecycle';
import { menuTemplate } from './menu';
import { PRIVILEGED_SCHEME, handleStudioRequest } from './protocol';
import { SafeStorageSecretStore } from './secret-store';
import { contentSecurityPolicy, navigationDecision, permissionGranted, windowOpenDecision, windowOptions } from './security';
import { utilityEngineFactory } from './utility-engine';
import { restoreWindow, type SavedWindowState } from './window-state';
import { APP_URL, SCHEME } from './wire';

const here = path.dirname(fileURLToPath(import.meta.url));
const RENDERER_DIR = path.join(here, '..', 'renderer');
const PRELOAD = path.join(here, '..', 'preload', 'index.cjs');
const ENGINE_ENTRY = path.join(here, '..', 'engine', 'engine-process.mjs');

type Level = 'info' | 'warn' | 'error';
const log = (level: Level, message: string) => process.stderr.write(`studio ${level}: ${message}\n`);

// The same per-user folder as the CLI and the web host (…/Studio/settings.json), packaged or not.
app.setName('Studio');
app.setPath('userData', path.join(app.getPath('appData'), 'Studio'));
// Every renderer sandboxed, whatever its options say.
app.enableSandbox();
// Before ready: the scheme must be standard and secure before the first page loads.
protocol.registerSchemesAsPrivileged([PRIVILEGED_SCHEME]);

/** Navigation and new-window guards on every webContents, including any the app did not mean to create. */
function guardContents(contents: WebContents): void {
  const guard = (event: { readonly url: string; preventDefault(): void }) => {
    const decision = navigationDecision(event.url);
    if (decision.action === 'allow') return;
    event.preventDefault();
    if (decision.openExternal !== undefined) void shell.openExternal(decision.openExternal);
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  // Subframes (the CSP allows none): kept on the app too, but never the reason to open a browser.
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame && navigationDecision(event.url).action === 'deny') event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const decision = windowOpenDecision(url);
    if (decision.openExternal !== undefined) void shell.openExternal(decision.openExternal);
    return { action: 'deny' };
  });
}

/** Packaged: the app's. Run from the build (`electron out/main/index.mjs`), Electron knows no app package, so the repository's. */
async function version(): Promise<string> {
  if (app.isPackaged) return app.getVersion();
  const manifest = JSON.parse(await readFile(path.join(here, '..', '..', 'package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : app.getVersion();
}

async function openStudio(): Promise<Studio> {
  const settings = new JsonSettingsFile(path.join(app.getPath('userData'), 'settings.json'), (level, message) => log(level, message));
  const saved = await settings.load();
  // STUDIO_LIBRARY, then the settings, then the platform's default.
  const flag = process.env['STUDIO_LIBRARY'] ? undefined : (saved.libraryDir ?? undefined);
  return Studio.open({
    libraryDir: path.resolve(resolveLibraryDir(flag, process.env, process.platform, homedir())),
    settings,
    version: await version(),
    env: process.env,
    engineFactory: utilityEngineFactory((modulePath, args, options) => utilityProcess.fork(modulePath, args, options), ENGINE_ENTRY, process.env),
    // The platform session, encrypted with the system's keychain (never silently in plain text).
    platform: { secrets: new SafeStorageSecretStore(path.join(app.getPath('userData'), 'desktop-session.json'), safeStorage) },
    log,
  });
}

function createWindow(store: Store<{ window?: SavedWindowState }>): BrowserWindow {
  const { bounds, maximized } = restoreWindow(
    store.get('window'),
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const window = new BrowserWindow(windowOptions(PRELOAD, bounds));
  if (maximized) window.maximize();
  window.once('ready-to-show', () => window.show());
  window.on('close', () => store.set('window', { ...window.getNormalBounds(), maximized: window.isMaximized() }));
  // A crashed page comes back (its state is all in main); a page that keeps crashing is left for the user to see.
  let reloads = 0;
  window.webContents.on('render-process-gone', (_event, details) => {
    log('error', `the window's page stopped: ${details.reason} (exit code ${details.exitCode})`);
    if (details.reason !== 'clean-exit' && reloads++ < 3 && !window.isDestroyed()) window.reload();
  });
  void window.loadURL(APP_URL);
  return window;
}

async function main(): Promise<void> {
  await app.whenReady();
  let studio: Studio;
  try {
    studio = await openStudio();
  } catch (error) {
    const { message } = toStudioError(error, (m, e) => log('error', `${m}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
    dialog.showErrorBox('Studio could not open its library', message);
    app.exit(1);
    return;
  }

  const ses = session.defaultSession;
  const roots = { renderer: RENDERER_DIR, library: studio.library.dir, contentSecurityPolicy: contentSecurityPolicy(studio.sync.client.baseUrl) };
  ses.protocol.handle(SCHEME, (request) => handleStudioRequest(request, roots));
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => callback(permissionGranted(permission, details.requestingUrl)));
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) => permissionGranted(permission, requestingOrigin));
  ses.setDevicePermissionHandler(() => false);
  app.on('web-contents-created', (_event, contents) => guardContents(contents));

  const store = new Store<{ window?: SavedWindowState }>({ name: 'window-state', clearInvalidConfig: true });
  let window: BrowserWindow | undefined = createWindow(store);
  const current = () => (window !== undefined && !window.isDestroyed() ? window : undefined);

  const toError = (error: unknown) => toStudioError(error, (m, e) => log('error', `${m}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
  const desktop = createDesktopHandlers(studio.library, {
    showItemInFolder: (file) => shell.showItemInFolder(file),
    openExternal: (url) => shell.openExternal(url),
    copyImageFile: async (file) => {
      // Decoded by Chromium whatever the original's format; the clipboard gets PNG, which every app pastes.
      const image = nativeImage.createFromPath(file);
      if (image.isEmpty()) return false;
      await clipboard.write([new ClipboardItem({ 'image/png': new Blob([new Uint8Array(image.toPNG())], { type: 'image/png' }) })]);
      return true;
    },
  });
  registerIpc({ ipcMain, studio, desktop: createDesktopDispatcher(desktop, toError), window: () => current()?.webContents, log });

  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(process.platform, {
        developer: !app.isPackaged,
        actions: {
          showLibrary: () => void shell.openPath(studio.library.dir),
          showModels: () => {
            const folder = modelsFolder(process.env);
            void mkdir(folder, { recursive: true }).then(() => shell.openPath(folder));
          },
        },
      }),
    ),
  );

  app.on('second-instance', () => {
    const open = current();
    if (open === undefined) return;
    if (open.isMinimized()) open.restore();
    open.focus();
  });
  // macOS: the app stays in the dock with no window; clicking it opens one again.
  app.on('activate', () => {
    if (current() === undefined) window = createWindow(store);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', createQuitGuard({ close: () => studio.close(), quit: () => app.quit(), log }));
  // Ctrl-C in the terminal that started it quits as cleanly as the menu does.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
}

if (app.requestSingleInstanceLock()) {
  main().catch((error: unknown) => {
    log('error', `the studio failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    app.exit(1);
  });
} else {
  // Another instance is running: it gets the focus (second-instance), this one leaves.
  app.quit();
}
