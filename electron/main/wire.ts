/**
 * What main and the preload agree on besides the contract: the IPC channel names and the `studio://` URLs.
 * No other file names a channel.
 *
 * Runtime: plain TypeScript (Electron main, and bundled into the sandboxed preload, so it imports nothing).
 */

export const IPC = {
  /** invoke(name, input) → Result: the contract's calls, routed to the Studio's dispatcher. */
  call: 'studio:call',
  /** invoke(name, input) → Result: the desktop-only calls (reveal, clipboard, external links). */
  desktop: 'studio:desktop',
  /** main → renderer (name, payload): every Studio event. */
  event: 'studio:event',
} as const;

/** The privileged scheme that serves the renderer and library files: the window never loads `file://`. */
export const SCHEME = 'studio';
/** `studio://app/…`: the built renderer. */
export const APP_HOST = 'app';
/** `studio://library/<library-relative path>`: originals and thumbnails. */
export const LIBRARY_HOST = 'library';

export const APP_ORIGIN = `${SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/`;
export const LIBRARY_ORIGIN = `${SCHEME}://${LIBRARY_HOST}`;

/** The URL of a library file (`ImageSummary.filePath`, `.thumbnailPath`) for an <img>. */
export function libraryFileUrl(relativePath: string): string {
  return `${LIBRARY_ORIGIN}/${relativePath.split('/').map(encodeURIComponent).join('/')}`;
}

/** Whether a URL is a page of the app itself (`studio://app/…`), the only thing the window may show. */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}
