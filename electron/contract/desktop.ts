/**
 * The desktop-only calls: what the Electron app offers beside the contract's calls and a browser cannot do
 * (show a file in the file manager, put an image on the system clipboard, open a link in the user's browser,
 * know the path of a dropped file). The preload exposes them as `window.studioDesktop`, next to
 * `window.studio`; in the web host that object is absent and the renderer hides or replaces what needs it.
 * Inputs are validated by main on receipt (a file must lie inside the library), replies by the preload on
 * receipt; errors are data as for any call.
 *
 * Runtime: plain TypeScript (renderer, preload, main).
 */
import { z } from 'zod';
import type { Result } from './result';

const done = z.object({}).strict().readonly();
const strict = <T extends z.ZodRawShape>(shape: T) => z.object(shape).strict().readonly();
/** A library-relative path, as in `ImageSummary.filePath`. */
const libraryPath = z.string().min(1).max(1024);

/** What crosses IPC: one object per call, checked by main. */
export const DESKTOP_CALLS = {
  /** Shows the file, selected, in the system's file manager. */
  revealFile: { input: strict({ filePath: libraryPath }), output: done },
  /** Puts the image itself (not its path) on the system clipboard. */
  copyImage: { input: strict({ filePath: libraryPath }), output: done },
  /** Opens an http(s) link in the user's browser; any other scheme is INVALID_INPUT. */
  openExternal: { input: strict({ url: z.string().min(1).max(4096) }), output: done },
} as const;

export type DesktopCallTable = typeof DESKTOP_CALLS;
export type DesktopCallName = keyof DesktopCallTable;
export const DESKTOP_CALL_NAMES = Object.keys(DESKTOP_CALLS) as readonly DesktopCallName[];
export function isDesktopCallName(name: unknown): name is DesktopCallName {
  return typeof name === 'string' && Object.hasOwn(DESKTOP_CALLS, name);
}

/** Main's side: one handler per call; it receives a validated input and throws on failure. */
export type DesktopHandlers = {
  readonly [K in DesktopCallName]: (input: z.output<DesktopCallTable[K]['input']>) => Promise<z.output<DesktopCallTable[K]['output']>>;
};

type Done = Promise<Result<z.output<typeof done>>>;

/** What the renderer sees as `window.studioDesktop` in the Electron app. */
export interface StudioDesktop {
  /** `filePath`: library-relative (`ImageSummary.filePath`). */
  revealFile(filePath: string): Done;
  copyImage(filePath: string): Done;
  openExternal(url: string): Done;
  /** The path on disk of a file dropped on the window (for `importFiles`); '' when it has none. */
  pathForFile(file: File): string;
}
