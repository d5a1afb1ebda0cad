/**
 * Main's IPC: one invoke channel for the contract's calls (to the Studio's dispatcher), one for the desktop-only
 * calls, and every Studio event sent to the window. Registered against an injected `ipcMain`, so that who may
 * call and what they get is tested under Node; index.ts passes Electron's.
 *
 * Runtime: Electron main (no Electron import).
 */
import type { Dispatch, StudioEvent } from '../contract';
import type { DesktopDispatch } from './desktop';
import { isTrustedSender, type IpcSenderInfo } from './security';
import { IPC } from './wire';

/** The part of Electron's ipcMain used here. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcSenderInfo, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** The part of a webContents events are sent to. */
export interface EventSink {
  send(channel: string, ...args: unknown[]): void;
}

export interface IpcOptions {
  readonly ipcMain: IpcMainLike;
  readonly studio: { readonly dispatch: Dispatch; subscribe(listener: (event: StudioEvent) => void): () => void };
  readonly desktop: DesktopDispatch;
  /** The window's webContents: its id for the sender check, and where events go. Undefined while there is none. */
  readonly window: () => (EventSink & { readonly id: number }) | undefined;
  readonly log: (level: 'warn' | 'error', message: string) => void;
}

/** Thrown to a sender that is not our window's app page: that is not our client, so it gets no result. */
export class UntrustedSenderError extends Error {
  override readonly name = 'UntrustedSenderError';
}

/** Registers the handlers and the event forwarding; returns the function that removes them. */
export function registerIpc(options: IpcOptions): () => void {
  const guard = (event: IpcSenderInfo, channel: string) => {
    if (isTrustedSender(event, options.window()?.id)) return;
    options.log('warn', `refused an IPC call on ${channel} from ${event.senderFrame?.url ?? 'a destroyed frame'}`);
    throw new UntrustedSenderError('This page may not call the studio.');
  };
  options.ipcMain.handle(IPC.call, async (event, name, input) => {
    guard(event, IPC.call);
    return options.studio.dispatch(name, input);
  });
  options.ipcMain.handle(IPC.desktop, async (event, name, input) => {
    guard(event, IPC.desktop);
    return options.desktop(name, input);
  });
  const unsubscribe = options.studio.subscribe((event) => {
    const target = options.window();
    if (target === undefined) return;
    try {
      target.send(IPC.event, event.name, event.payload);
    } catch (error) {
      // The window is closing: nothing left to tell.
      options.log('warn', `an event could not be sent to the window: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  return () => {
    unsubscribe();
    options.ipcMain.removeHandler(IPC.call);
    options.ipcMain.removeHandler(IPC.desktop);
  };
}
