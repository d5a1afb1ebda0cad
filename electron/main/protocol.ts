/**
 * The `studio://` protocol, which replaces `file://` in the window: `studio://app/…` serves the built renderer
 * (any path that is not a file is a route of the single-page app and gets index.html), `studio://library/…`
 * serves originals and thumbnails from the library, read-only. A path that leaves its root — `..`, an absolute
 * path, a symbolic link pointing out — is refused with the web host's own containment check, so both hosts
 * refuse the same things. Every app response carries the Content-Security-Policy.
 *
 * The handler speaks the Fetch API's Request and Response, which is what Electron's `protocol.handle` passes
 * and expects, so it runs and is tested under plain Node.
 *
 * Runtime: Electron main (no Electron import).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { CustomScheme } from 'electron';
import { containedPath, typeOf } from '../web/server';
import { APP_HOST, LIBRARY_HOST, SCHEME } from './wire';

/**
 * Registered before the app is ready: a standard, secure scheme (origins, relative URLs, ES modules, the
 * Fetch API and V8's code cache work as over https), no CORS, no service workers.
 */
export const PRIVILEGED_SCHEME: CustomScheme = {
  scheme: SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
};

export interface ProtocolRoots {
  /** The built renderer (out/renderer). */
  readonly renderer: string;
  /** The library folder the Studio opened. */
  readonly library: string;
  /** Sent with the app's pages (security.ts › contentSecurityPolicy). */
  readonly contentSecurityPolicy: string;
}

/** The library folders that hold images; the database and everything else are never served. */
const LIBRARY_FOLDERS: ReadonlySet<string> = new Set(['originals', 'thumbnails']);

const COMMON: Readonly<Record<string, string>> = { 'x-content-type-options': 'nosniff' };

function text(status: number, message: string): Response {
  return new Response(`${message}\n`, { status, headers: { ...COMMON, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
}

/** The file's bytes with its type, or undefined when it is not a regular file. */
async function file(request: Request, target: string, headers: Readonly<Record<string, string>>): Promise<Response | undefined> {
  let bytes: Buffer;
  try {
    if (!(await fs.stat(target)).isFile()) return undefined;
    bytes = await fs.readFile(target);
  } catch {
    return undefined;
  }
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(bytes), {
    status: 200,
    headers: {
      ...COMMON,
      ...headers,
      'content-type': typeOf(target),
      'content-length': String(bytes.byteLength),
    },
  });
}

export async function handleStudioRequest(request: Request, roots: ProtocolRoots): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Only GET and HEAD are served here.');
  let url: URL;
  let pathname: string;
  try {
    url = new URL(request.url);
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return text(400, 'The path is not valid.');
  }
  if (url.protocol !== `${SCHEME}:`) return text(404, 'Not a studio URL.');

  if (url.host === LIBRARY_HOST) {
    const relative = pathname.replace(/^\/+/, '');
    const folder = relative.split('/')[0] ?? '';
    const target = LIBRARY_FOLDERS.has(folder) ? await containedPath(roots.library, relative) : undefined;
    if (target === undefined) return text(403, 'Only images inside the library are served.');
    // Content-addressed names never change content.
    return (await file(request, target, { 'cache-control': 'private, max-age=31536000, immutable' })) ?? text(404, 'There is no such image in the library.');
  }

  if (url.host === APP_HOST) {
    const page = { 'content-security-policy': roots.contentSecurityPolicy };
    const asset = pathname === '/' ? undefined : await containedPath(roots.renderer, `.${pathname}`);
    const found = asset === undefined ? undefined : await file(request, asset, { ...page, 'cache-control': 'no-cache' });
    if (found !== undefined) return found;
    const index = await file(request, path.join(roots.renderer, 'index.html'), { ...page, 'cache-control': 'no-store' });
    return index ?? text(404, 'The interface is not built: run `npm run build`, then start the app again.');
  }

  return text(404, 'There is nothing at this address.');
}
