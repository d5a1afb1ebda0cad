/**
 * The preload: exposes `window.studio` (the contract's typed client) and `window.studioDesktop` (the
 * desktop-only calls) to the sandboxed renderer through contextBridge, and nothing else — the page never
 * touches ipcRenderer. Bundled by vite.main.config.ts into one CommonJS file (out/preload/index.cjs), since a
 * sandboxed preload can require only `electron` and a few Node polyfills.
 *
 * Runtime: the sandboxed preload.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createBridge } from './bridge';

const bridge = createBridge(
  {
    invoke: (channel, ...args) => ipcRenderer.invoke(channel, ...args),
    listen: (channel, listener) => {
      const forward = (_event: Electron.IpcRendererEvent, ...args: unknown[]) => listener(...args);
      ipcRenderer.on(channel, forward);
      return () => void ipcRenderer.removeListener(channel, forward);
    },
  },
  {
    pathForFile: (file) => webUtils.getPathForFile(file),
    onInvalid: (what, error) => console.error(`studio: dropped an invalid ${what}: ${error.message}`),
  },
);

contextBridge.exposeInMainWorld('studio', bridge.studio);
contextBridge.exposeInMainWorld('studioDesktop', bridge.studioDesktop);
