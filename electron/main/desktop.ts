/**
 * The desktop-only calls (electron/contract/desktop.ts) over what the system offers: the file manager, the
 * clipboard and the user's browser are injected, so the decisions — that a file lies inside the library (the
 * web host's containment check: no `..`, no absolute path, no symbolic link out), which links may leave the
 * app — are tested under Node.
 *
 * Runtime: Electron main (no Electron import).
 */
import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { DESKTOP_CALLS, fail, isDesktopCallName, ok, type DesktopHandlers, type Result, type StudioError } from '../contract';
import { StudioFailure } from '../core/errors';
import { containedPath } from '../web/server';
import { externalLink } from './security';

/** What the desktop calls need of the system (Electron's shell, clipboard and nativeImage in the app). */
export interface DesktopSystem {
  showItemInFolder(path: string): void;
  openExternal(url: string): Promise<void>;
  /** Puts the image in this file on the clipboard; false when it could not be decoded. */
  copyImageFile(path: string): Promise<boolean>;
}

export function createDesktopHandlers(library: { readonly dir: string }, system: DesktopSystem): DesktopHandlers {
  /** The file's absolute path, only if it is a file inside the library. */
  const inLibrary = async (filePath: string): Promise<string> => {
    const file = await containedPath(library.dir, filePath);
    if (file === undefined || !(await fs.stat(file).then((s) => s.isFile(), () => false))) {
      throw new StudioFailure('NOT_FOUND', 'This file is not in the library any more.', { filePath: filePath.slice(0, 200) });
    }
    return file;
  };
  return {
    revealFile: async ({ filePath }) => {
      system.showItemInFolder(await inLibrary(filePath));
      return {};
    },
    copyImage: async ({ filePath }) => {
      if (!(await system.copyImageFile(await inLibrary(filePath)))) {
        throw new StudioFailure('IO_ERROR', 'This image could not be read to copy it.', { filePath: filePath.slice(0, 200) });
      }
      return {};
    },
    openExternal: async ({ url }) => {
      const link = externalLink(url);
      if (link === undefined) throw new StudioFailure('INVALID_INPUT', 'Only web links (http or https) can be opened.', { url: url.slice(0, 200) });
      await system.openExternal(link);
      return {};
    },
  };
}

export type DesktopDispatch = (name: unknown, input: unknown) => Promise<Result<unknown>>;

/** Validates the call name and input, runs the handler, and returns a result; never throws. */
export function createDesktopDispatcher(handlers: DesktopHandlers, toError: (error: unknown) => StudioError): DesktopDispatch {
  return async (name, input) => {
    if (!isDesktopCallName(name)) return fail('INVALID_INPUT', 'The studio has no such desktop call.', { call: String(name).slice(0, 100) });
    const parsed = DESKTOP_CALLS[name].input.safeParse(input);
    if (!parsed.success) return fail('INVALID_INPUT', z.prettifyError(parsed.error), { call: name, issues: parsed.error.issues });
    try {
      const handler = handlers[name] as (input: unknown) => Promise<unknown>;
      return ok(await handler(parsed.data));
    } catch (error) {
      return { ok: false, error: toError(error) };
    }
  };
}
