/**
 * Main's IPC and the preload's bridge together, over a real Studio and a real engine: registerIpc
 * (electron/main/ipc.ts) against an in-memory ipcMain/ipcRenderer pair that copies every message with the
 * structured clone, as Electron's IPC does, and createBridge (electron/preload/bridge.ts) as the page's
 * `window.studio` and `window.studioDesktop`. Who may call, what comes back, events, library URLs served by the
 * studio:// handler, and the desktop calls (the file manager, clipboard and browser recorded at their boundary).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, EventPayload, ImageSummary } from '../../../../electron/contract';
import { toStudioError } from '../../../../electron/core/errors';
import { EMBEDDED_MODEL_ID } from '../../../../electron/core/models';
import { JsonSettingsFile } from '../../../../electron/core/settings';
import { Studio } from '../../../../electron/core/studio';
import { createDesktopDispatcher, createDesktopHandlers } from '../../../../electron/main/desktop';
import { registerIpc, type IpcMainLike } from '../../../../electron/main/ipc';
import { handleStudioRequest } from '../../../../electron/main/protocol';
import type { IpcSenderInfo } from '../../../../electron/main/security';
import { IPC } from '../../../../electron/main/wire';
import { createBridge, type Bridge, type PreloadIpc } from '../../../../electron/preload/bridge';

const WINDOW_ID = 7;

/** Electron's IPC, in memory: handlers by channel, a window that receives sends, and the renderer's side. */
function memoryIpc() {
  const handlers = new Map<string, (event: IpcSenderInfo, ...args: unknown[]) => Promise<unknown>>();
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  let frameUrl = 'studio://app/';
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => {
      if (handlers.has(channel)) throw new Error(`a second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const window = {
    id: WINDOW_ID,
    send: (channel: string, ...args: unknown[]) => {
      for (const listener of listeners.get(channel) ?? []) listener(...structuredClone(args));
    },
  };
  const renderer: PreloadIpc = {
    invoke: async (channel, ...args) => {
      const handler = handlers.get(channel);
      if (handler === undefined) throw new Error(`No handler registered for '${channel}'`);
      return structuredClone(await handler({ sender: { id: WINDOW_ID }, senderFrame: { url: frameUrl, parent: null } }, ...structuredClone(args)));
    },
    listen: (channel, listener) => {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      set.add(listener);
      return () => void set.delete(listener);
    },
  };
  return { ipcMain, window, renderer, handlers, listeners, navigate: (url: string) => void (frameUrl = url) };
}

let dir: string;
let studio: Studio;
let ipc: ReturnType<typeof memoryIpc>;
let bridge: Bridge;
let dispose: () => void;
const logged: string[] = [];
const invalid: string[] = [];
const system = { revealed: [] as string[], copied: [] as string[], opened: [] as string[], decodable: true };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'studio-ipc-'));
  studio = await Studio.open({
    libraryDir: path.join(dir, 'library'),
    settings: new JsonSettingsFile(path.join(dir, 'settings.json')),
    version: 'test',
    env: { STUDIO_MODELS: path.join(dir, 'models'), STUDIO_THREADS: '1' },
  });
  ipc = memoryIpc();
  const desktop = createDesktopHandlers(studio.library, {
    showItemInFolder: (file) => void system.revealed.push(file),
    openExternal: async (url) => void system.opened.push(url),
    copyImageFile: async (file) => {
      system.copied.push(file);
      return system.decodable;
    },
  });
  dispose = registerIpc({
    ipcMain: ipc.ipcMain,
    studio,
    desktop: createDesktopDispatcher(desktop, (error) => toStudioError(error)),
    window: () => ipc.window,
    log: (_level, message) => void logged.push(message),
  });
  bridge = createBridge(ipc.renderer, { pathForFile: (file) => `/dropped/${file.name}`, onInvalid: (what) => void invalid.push(what) });
});

afterAll(async () => {
  dispose?.();
  await studio?.close();
  await rm(dir, { recursive: true, force: true });
});

function when<K extends EventName>(name: K, test: (payload: EventPayload<K>) => boolean = () => true): Promise<EventPayload<K>> {
  return new Promise((resolve) => {
    const stop = bridge.studio.on(name, (payload) => {
      if (!test(payload)) return;
      stop();
      resolve(payload);
    });
  });
}

describe('calls and events through IPC', () => {
  let image: ImageSummary;

  it('routes calls to the Studio and returns its results', async () => {
    const models = await bridge.studio.listModels();
    expect(models.ok && models.value.map((m) => m.id)).toContain(EMBEDDED_MODEL_ID);
    expect(await bridge.studio.countImages({})).toEqual({ ok: true, value: { count: 0 } });
  });

  it('turns invalid input and unknown calls into INVALID_INPUT, never a throw', async () => {
    expect(await bridge.studio.setRating({ selection: { ids: [1] }, rating: 9 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await ipc.renderer.invoke(IPC.call, 'dropTables', {})).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await ipc.renderer.invoke(IPC.desktop, 'runShell', {})).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('generates: job events and image.created reach the page, and the image is served at its studio:// URL', async () => {
    const progress = when('job.progress', (p) => p.previews !== undefined);
    const created = when('image.created');
    const submitted = await bridge.studio.submitGeneration({
      modelId: EMBEDDED_MODEL_ID,
      prompt: 'a small red circle on a green background',
      sampler: 'euler',
      steps: 6,
      guidance: 7,
      seed: 11,
      width: 64,
      height: 64,
    });
    if (!submitted.ok) throw new Error(submitted.error.message);
    expect((await progress).previews?.[0]?.dataUrl).toMatch(/^data:image\/png;base64,/);
    ({ image } = await created);
    expect(image).toMatchObject({ prompt: 'a small red circle on a green background', seed: 11 });

    const url = bridge.studio.fileUrl(image.filePath);
    expect(url).toMatch(/^studio:\/\/library\/originals\//);
    const response = await handleStudioRequest(new Request(url), { renderer: path.join(dir, 'renderer'), library: studio.library.dir, contentSecurityPolicy: "default-src 'none'" });
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    expect(invalid).toEqual([]);
  });

  it('reveals and copies an image by its library path, with the path of its file inside the library', async () => {
    const original = path.join(studio.library.dir, ...image.filePath.split('/'));
    expect(await bridge.studioDesktop.revealFile(image.filePath)).toEqual({ ok: true, value: {} });
    expect(await bridge.studioDesktop.copyImage(image.filePath)).toEqual({ ok: true, value: {} });
    expect(system.revealed).toEqual([original]);
    expect(system.copied).toEqual([original]);
    system.decodable = false;
    expect(await bridge.studioDesktop.copyImage(image.filePath)).toMatchObject({ ok: false, error: { code: 'IO_ERROR' } });
  });

  it('reveals nothing outside the library, nor what is not there', async () => {
    await writeFile(path.join(dir, 'outside.png'), 'x');
    for (const filePath of ['../outside.png', 'originals/../../outside.png', path.join(dir, 'outside.png'), 'originals/ab/missing.png', 'originals']) {
      expect(await bridge.studioDesktop.revealFile(filePath), filePath).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(await bridge.studioDesktop.copyImage(filePath), filePath).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
    expect(await bridge.studioDesktop.revealFile('')).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(system.revealed).toHaveLength(1);
  });

  it('opens http(s) links only', async () => {
    expect(await bridge.studioDesktop.openExternal('https://example.com/docs')).toEqual({ ok: true, value: {} });
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', '/relative']) {
      expect(await bridge.studioDesktop.openExternal(url)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
    expect(system.opened).toEqual(['https://example.com/docs']);
  });

  it('gives the path of a dropped file', () => {
    expect(bridge.studioDesktop.pathForFile(new File(['x'], 'cat.png'))).toBe('/dropped/cat.png');
  });
});

describe('who may call', () => {
  it('refuses a page that is not the app: the call gets no result, and the refusal is logged', async () => {
    ipc.navigate('https://evil.example/');
    try {
      expect(await bridge.studio.getSettings()).toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });
      expect(await bridge.studioDesktop.openExternal('https://evil.example/x')).toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });
      expect(logged.filter((m) => m.includes('refused an IPC call'))).toHaveLength(2);
      expect(logged.join('\n')).toContain('https://evil.example/');
    } finally {
      ipc.navigate('studio://app/');
    }
    expect((await bridge.studio.getSettings()).ok).toBe(true);
  });

  it('listens on the event channel only while the page listens, and stops everything once disposed', async () => {
    const stop = bridge.studio.on('settings.changed', () => undefined);
    const stopToo = bridge.studio.on('library.changed', () => undefined);
    expect(ipc.listeners.get(IPC.event)?.size).toBe(1);
    stop();
    expect(ipc.listeners.get(IPC.event)?.size).toBe(1);
    stopToo();
    expect(ipc.listeners.get(IPC.event)?.size).toBe(0);

    dispose();
    expect([...ipc.handlers.keys()]).toEqual([]);
    expect(await bridge.studio.getSettings()).toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });
  });
});
