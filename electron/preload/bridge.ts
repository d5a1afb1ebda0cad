/**
 * What the preload exposes, built over an injected IPC so that it runs under Node in tests: `studio`, the
 * contract's client (createStudioClient) over one invoke channel and one event channel, and `studioDesktop`,
 * the desktop-only calls. Neither hands the page anything of Electron: no ipcRenderer, no IPC event objects,
 * only validated results and payloads.
 *
 * Runtime: the sandboxed preload (bundled into one CommonJS file; imports only the contract and main's wire).
 */
import type { z } from 'zod';
import { createStudioClient, DESKTOP_CALL_NAMES, DESKTOP_CALLS, fail, resultSchema, type DesktopCallName, type Result, type StudioClient, type StudioDesktop } from '../contract';
import { IPC, libraryFileUrl } from '../main/wire';

/** The part of ipcRenderer the bridge needs: invoke, and one listener on the event channel. */
export interface PreloadIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  /** Listens on a channel (the IPC event object already dropped); returns the function that stops listening. */
  listen(channel: string, listener: (...args: unknown[]) => void): () => void;
}

export interface Bridge {
  readonly studio: StudioClient;
  readonly studioDesktop: StudioDesktop;
}

export interface BridgeOptions {
  readonly pathForFile: (file: File) => string;
  /** Where replies and events that fail validation are reported (they are dropped). */
  readonly onInvalid: (what: string, error: z.ZodError) => void;
}

const desktopResults = new Map<DesktopCallName, z.ZodType>(DESKTOP_CALL_NAMES.map((name) => [name, resultSchema(DESKTOP_CALLS[name].output)]));

export function createBridge(ipc: PreloadIpc, options: BridgeOptions): Bridge {
  // One IPC listener for all events, started on the first subscription and stopped after the last.
  const listeners = new Set<(name: string, payload: unknown) => void>();
  let stop: (() => void) | undefined;
  const subscribe = (listener: (name: string, payload: unknown) => void) => {
    listeners.add(listener);
    stop ??= ipc.listen(IPC.event, (name, payload) => {
      if (typeof name !== 'string') return;
      for (const l of listeners) l(name, payload);
    });
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && stop !== undefined) {
        stop();
        stop = undefined;
      }
    };
  };

  const studio = createStudioClient(
    { call: (name, input) => ipc.invoke(IPC.call, name, input), subscribe },
    { fileUrl: libraryFileUrl, onInvalid: options.onInvalid },
  );

  const desktopCall = async (name: DesktopCallName, input: unknown): Promise<Result<unknown>> => {
    let raw: unknown;
    try {
      raw = await ipc.invoke(IPC.desktop, name, input);
    } catch (error) {
      return fail('DISCONNECTED', 'The studio is not reachable; check that it is still running, then try again.', {
        cause: error instanceof Error ? error.message : String(error),
      });
    }
    const checked = (desktopResults.get(name) as z.ZodType).safeParse(raw);
    if (checked.success) return checked.data as Result<unknown>;
    options.onInvalid(`reply to ${name}`, checked.error);
    return fail('INTERNAL', 'The studio sent a reply this window does not understand.', { call: name });
  };
  const studioDesktop: StudioDesktop = {
    revealFile: (filePath) => desktopCall('revealFile', { filePath }) as ReturnType<StudioDesktop['revealFile']>,
    copyImage: (filePath) => desktopCall('copyImage', { filePath }) as ReturnType<StudioDesktop['copyImage']>,
    openExternal: (url) => desktopCall('openExternal', { url }) as ReturnType<StudioDesktop['openExternal']>,
    pathForFile: options.pathForFile,
  };

  return { studio, studioDesktop };
}
