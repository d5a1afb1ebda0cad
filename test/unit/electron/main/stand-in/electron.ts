/**
 * A stand-in for the `electron` module, for running the built main bundle (out/main/index.mjs) under Node in
 * main.test.ts, where Electron's binary cannot run. It records what main asks of Electron and lets the test
 * play Electron's part: fire `ready`, call the protocol handler, invoke IPC as the page would, quit. Only what
 * main and electron-store use is here; utilityProcess.fork starts a real engine (a Node child given a
 * parentPort by ../parent-port.ts).
 *
 * Runtime: Node, in the child process of main.test.ts (resolved for `electron` by hooks.mjs).
 */
import { fork as forkChild } from 'node:child_process';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

type Listener = (...args: never[]) => unknown;
export const record: { readonly name: string; readonly args: readonly unknown[] }[] = [];
const note = (name: string, ...args: unknown[]) => void record.push({ name, args });

export class PreventableEvent {
  defaultPrevented = false;
  constructor(readonly url = '') {}
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

class App extends EventEmitter {
  readonly isPackaged = false;
  ready = false;
  quitted = false;
  readonly paths = new Map<string, string>([['appData', process.env['STAND_IN_APP_DATA'] ?? '/nonexistent']]);
  private markReady: () => void = () => undefined;
  private readonly readyPromise = new Promise<void>((resolve) => (this.markReady = resolve));

  setName(name: string): void {
    note('app.setName', name);
  }
  setPath(name: string, value: string): void {
    this.paths.set(name, value);
  }
  getPath(name: string): string {
    const value = this.paths.get(name);
    if (value === undefined) throw new Error(`stand-in: no path ${name}`);
    return value;
  }
  getVersion(): string {
    return '45.5.0';
  }
  enableSandbox(): void {
    note('app.enableSandbox', this.ready);
  }
  requestSingleInstanceLock(): boolean {
    note('app.requestSingleInstanceLock');
    return true;
  }
  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  /** The test's part: Electron is ready. */
  fireReady(): void {
    this.ready = true;
    this.markReady();
    this.emit('ready');
  }
  /** As Electron: before-quit may be prevented; otherwise the app quits. */
  quit(): void {
    note('app.quit');
    const event = new PreventableEvent();
    this.emit('before-quit', event);
    if (!event.defaultPrevented) this.quitted = true;
  }
  exit(code: number): void {
    note('app.exit', code);
  }
}
export const app = new App();

let nextContentsId = 1;
class WebContents extends EventEmitter {
  readonly id = nextContentsId++;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args: structuredClone(args) });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
}

export class BrowserWindow extends EventEmitter {
  static readonly windows: BrowserWindow[] = [];
  readonly webContents = new WebContents();
  loadedUrl: string | undefined;
  constructor(readonly options: Record<string, unknown>) {
    super();
    BrowserWindow.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  maximize(): void {}
  async loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
  }
  getNormalBounds() {
    return { x: 0, y: 0, width: Number(this.options['width']), height: Number(this.options['height']) };
  }
  isMaximized(): boolean {
    return false;
  }
  isDestroyed(): boolean {
    return false;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  focus(): void {}
  reload(): void {}
  show(): void {}
}

export const protocol = {
  registerSchemesAsPrivileged: (schemes: unknown) => note('protocol.registerSchemesAsPrivileged', schemes, app.ready),
};

export const sessionHandlers: {
  protocol: Map<string, (request: Request) => Promise<Response>>;
  permissionRequest?: (contents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl: string }) => void;
  permissionCheck?: (contents: unknown, permission: string, origin: string) => boolean;
  devicePermission?: () => boolean;
} = { protocol: new Map() };
export const session = {
  defaultSession: {
    protocol: { handle: (scheme: string, handler: (request: Request) => Promise<Response>) => void sessionHandlers.protocol.set(scheme, handler) },
    setPermissionRequestHandler: (handler: NonNullable<typeof sessionHandlers.permissionRequest>) => void (sessionHandlers.permissionRequest = handler),
    setPermissionCheckHandler: (handler: NonNullable<typeof sessionHandlers.permissionCheck>) => void (sessionHandlers.permissionCheck = handler),
    setDevicePermissionHandler: (handler: NonNullable<typeof sessionHandlers.devicePermission>) => void (sessionHandlers.devicePermission = handler),
  },
};

export const ipcHandlers = new Map<string, Listener>();
export const ipcMain = {
  handle: (channel: string, listener: Listener) => {
    if (ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    ipcHandlers.set(channel, listener);
  },
  removeHandler: (channel: string) => void ipcHandlers.delete(channel),
  on: (channel: string) => note('ipcMain.on', channel),
};

export const screen = { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] };
export const Menu = {
  buildFromTemplate: (template: unknown) => ({ template }),
  setApplicationMenu: (menu: unknown) => note('Menu.setApplicationMenu', menu),
};
export const shell = {
  openExternal: async (url: string) => void note('shell.openExternal', url),
  showItemInFolder: (file: string) => void note('shell.showItemInFolder', file),
  openPath: async (file: string) => (note('shell.openPath', file), ''),
};
export class ClipboardItem {
  constructor(readonly items: Record<string, unknown>) {}
}
export const clipboard = { write: async (items: unknown[]) => void note('clipboard.write', items.length) };
export const nativeImage = { createFromPath: (file: string) => ({ isEmpty: () => false, toPNG: () => Buffer.from(file) }) };
export const dialog = { showErrorBox: (title: string, message: string) => void note('dialog.showErrorBox', title, message) };
export const safeStorage = {
  isAsyncEncryptionAvailable: async () => false,
  encryptStringAsync: async () => {
    throw new Error('stand-in: no keychain');
  },
  decryptStringAsync: async () => {
    throw new Error('stand-in: no keychain');
  },
  getSelectedStorageBackend: () => 'basic_text',
};

const PARENT_PORT = fileURLToPath(new URL('../parent-port.ts', import.meta.url));
export const utilityProcess = {
  fork(modulePath: string, args: string[], options: { env?: Record<string, string | undefined>; serviceName?: string }) {
    note('utilityProcess.fork', path.basename(modulePath), options.serviceName);
    const child = forkChild(modulePath, args, {
      execArgv: ['--import', import.meta.resolve('tsx'), '--import', PARENT_PORT],
      env: options.env,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('exit', (code) => note('utilityProcess.exit', code));
    const utility = Object.assign(new EventEmitter(), {
      postMessage: (message: unknown) => void child.send(message as object),
      kill: () => child.kill('SIGKILL'),
      get pid() {
        return child.pid;
      },
    });
    child.on('message', (message) => utility.emit('message', message));
    child.on('exit', (code) => utility.emit('exit', code ?? 1));
    return utility;
  },
};

export default { app, BrowserWindow, protocol, session, ipcMain, screen, Menu, shell, ClipboardItem, clipboard, nativeImage, dialog, safeStorage, utilityProcess };
