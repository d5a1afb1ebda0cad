/**
 * The web host: the built renderer and the contract over WebSocket, on 127.0.0.1 only, for a browser on this
 * machine (`studio serve`, and the end-to-end tests in Chromium).
 *
 * Who may talk to it: whoever has the random session token printed in the URL. A request proves it with
 * `?token=` or with the cookie set on the first such request (so the page's own scripts, styles and images
 * load without it). Every request must also name this server in `Host` (a DNS-rebinding page names its own
 * domain), and a WebSocket upgrade must come from this server's own origin: another site open in the same
 * browser cannot drive the studio even though the port is reachable. Library files are served read-only, from
 * `originals/` and `thumbnails/` only, and a path that leaves the library (`..`, a symbolic link) is refused.
 *
 * Runtime: main-side Node.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  FILES_PATH,
  ImagePage,
  MAX_UPLOAD_BYTES,
  MAX_WIRE_BYTES,
  SOCKET_PATH,
  TOKEN_PARAM,
  UPLOAD_BATCH_PATTERN,
  UPLOAD_PATH,
  WireCall,
  type Dispatch,
  type StudioEvent,
  type WireMessage,
} from '../contract';

/** What the web host needs of the Studio. */
export interface WebHostStudio {
  readonly dispatch: Dispatch;
  subscribe(listener: (event: StudioEvent) => void): () => void;
  readonly library: { readonly dir: string };
}

export interface WebHostOptions {
  readonly studio: WebHostStudio;
  /** The built renderer (index.html and its assets); a placeholder page is served while it is missing. */
  readonly rendererDir: string;
  /** 0 (default): any free port. */
  readonly port?: number;
  /** Fixed only by tests; otherwise 32 random bytes per run. */
  readonly token?: string;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export interface WebHost {
  /** The URL to open, token included. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const COOKIE = 'studio_token';
const LIBRARY_FOLDERS = ['originals', 'thumbnails'];
const UPLOAD_EXTENSIONS: ReadonlySet<string> = new Set(['.png', '.jpg', '.jpeg', '.webp']);
/** The content types of the files either host serves (the built renderer and library images). */
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const PLACEHOLDER_STYLE = 'body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5; }';
/** The placeholder's one style sheet, allowed by its hash: the CSP allows no other inline style. */
const PLACEHOLDER_STYLE_SOURCE = `'sha256-${createHash('sha256').update(PLACEHOLDER_STYLE).digest('base64')}'`;
const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Studio</title><style>${PLACEHOLDER_STYLE}</style></head>
<body>
<h1>Studio is running, but its interface is not built yet</h1>
<p>The web host found no built renderer to serve. Build it, then reload this page.</p>
<p>The studio itself is up: the CLI (<code>studio generate</code>, <code>studio search</code>…) works meanwhile.</p>
</body></html>
`;

export const typeOf = (name: string): string => TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';

function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(request: IncomingMessage): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return value.join('=');
  }
  return undefined;
}

/**
 * Paths inside `root` only: `..`, absolute paths and symbolic links that lead out are refused. `realRoot` is
 * `root` with its links resolved, for a caller that resolved it once; by default it is resolved per call.
 */
export async function containedPath(root: string, relative: string, realRoot?: string): Promise<string | undefined> {
  if (relative.includes('\0')) return undefined;
  const target = path.resolve(root, relative);
  const inside = (base: string, candidate: string) => {
    const rel = path.relative(base, candidate);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  };
  if (!inside(root, target)) return undefined;
  try {
    const [resolvedRoot, realTarget] = await Promise.all([realRoot ?? fs.realpath(root), fs.realpath(target)]);
    return inside(resolvedRoot, realTarget) ? realTarget : undefined;
  } catch {
    // Missing: not outside, just absent (the caller answers 404).
    return target;
  }
}

/**
 * The library files answered from memory: the most recently served small ones (thumbnails are a few KB), up to
 * a byte budget, least recently used out first. A library file never changes under its content-addressed name,
 * so a kept copy is never stale; a file deleted from the library stops being kept as newer ones push it out.
 */
class RecentFiles {
  private readonly files = new Map<string, Buffer>();
  private bytes = 0;

  constructor(private readonly budget: number) {}

  get(key: string): Buffer | undefined {
    const bytes = this.files.get(key);
    if (bytes !== undefined) {
      this.files.delete(key);
      this.files.set(key, bytes);
    }
    return bytes;
  }

  set(key: string, bytes: Buffer): void {
    this.files.delete(key);
    this.files.set(key, bytes);
    this.bytes += bytes.length;
    for (const [oldest, kept] of this.files) {
      if (this.bytes <= this.budget) break;
      this.files.delete(oldest);
      this.bytes -= kept.length;
    }
  }
}

/**
 * How many of the library's newest thumbnails the page is told to fetch while its scripts load (preload links in
 * index.html): the gallery's first screen in a window of about 1280×800. Otherwise they are asked for only once the
 * scripts have run, connected and received the first page of images. The other screens use them as well: they
 * warm the gallery's first thumbnails (renderer/src/features/gallery/ThumbnailWarmup.tsx).
 */
const PRELOADED_THUMBNAILS = 24;

/** Library files up to this size are read whole (and kept in memory); larger ones (originals) are streamed. */
const SMALL_FILE_BYTES = 256 * 1024;
const RECENT_FILES_BYTES = 32 * 1024 * 1024;

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const log = options.log ?? (() => undefined);
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_WIRE_BYTES });
  let port = 0;
  const hosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const origins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const authorised = (request: IncomingMessage, url: URL): 'query' | 'cookie' | false => {
    if (!hosts().has(request.headers.host ?? '')) return false;
    if (sameToken(url.searchParams.get(TOKEN_PARAM) ?? undefined, token)) return 'query';
    return sameToken(cookieToken(request), token) ? 'cookie' : false;
  };

  const csp = (styles = "'self'") =>
    [
      "default-src 'self'",
      "script-src 'self'",
      `style-src ${styles}`,
      // The community gallery's thumbnails come from the platform's storage: over https, or over loopback
      // http from a platform run on this machine (npm run platform:dev, the tests' reference platform).
      "img-src 'self' data: blob: https: http://127.0.0.1:* http://localhost:*",
      `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "form-action 'none'",
    ].join('; ');

  const refuse = (response: ServerResponse, status: number, message: string) => {
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    response.end(`${message}\n`);
  };

  const sendFile = async (request: IncomingMessage, response: ServerResponse, file: string, headers: Record<string, string>) => {
    let stat;
    try {
      stat = await fs.stat(file);
    } catch {
      return false;
    }
    if (!stat.isFile()) return false;
    response.writeHead(200, {
      'content-type': typeOf(file),
      'content-length': String(stat.size),
      ...headers,
    });
    if (request.method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
    return true;
  };

  const sendBytes = (request: IncomingMessage, response: ServerResponse, name: string, bytes: Buffer, headers: Record<string, string>) => {
    response.writeHead(200, { 'content-type': typeOf(name), 'content-length': String(bytes.length), ...headers });
    response.end(request.method === 'HEAD' ? undefined : bytes);
  };

  // The library's own location with its links resolved, once: every file's real path is checked against it.
  let realLibrary: Promise<string> | undefined;
  const libraryRoot = () => {
    realLibrary ??= fs.realpath(options.studio.library.dir);
    realLibrary.catch(() => (realLibrary = undefined));
    return realLibrary;
  };
  const recent = new RecentFiles(RECENT_FILES_BYTES);

  // The preload links for the library's first thumbnails, made once and again after the library changes. Each
  // URL is the one the page's client makes (electron/web/client.ts `fileUrl`), or the browser would fetch twice.
  let preloads: Promise<string> | undefined;
  const stopWatching = options.studio.subscribe((event) => {
    if (event.name === 'image.created' || event.name === 'import.done' || event.name === 'library.changed') preloads = undefined;
  });
  const preloadLinks = () =>
    (preloads ??= options.studio
      .dispatch('listImages', { limit: PRELOADED_THUMBNAILS })
      .then((result) => {
        const page = ImagePage.safeParse(result.ok ? result.value : undefined);
        if (!page.success) throw new Error(result.ok ? 'listImages answered an unexpected shape' : result.error.message);
        return page.data.items
          .map((image) => {
            const file = (image.thumbnailPath ?? image.filePath).split('/').map(encodeURIComponent).join('/');
            return `<link rel="preload" as="image" fetchpriority="high" href="${FILES_PATH}${file}?${TOKEN_PARAM}=${encodeURIComponent(token)}">`;
          })
          .join('');
      })
      .catch((error: unknown) => {
        preloads = undefined;
        log('warn', `web host: no thumbnails to preload: ${error instanceof Error ? error.message : String(error)}`);
        return '';
      }));
  void preloadLinks();

  /** The built page, with the preload links at the end of its head; undefined while there is none. */
  const sendIndex = async (request: IncomingMessage, response: ServerResponse, headers: Record<string, string>) => {
    let page;
    try {
      page = await fs.readFile(path.join(options.rendererDir, 'index.html'), 'utf8');
    } catch {
      return false;
    }
    const links = await preloadLinks();
    const withPreloads = Buffer.from(page.replace('</head>', () => `${links}</head>`));
    sendBytes(request, response, 'index.html', withPreloads, headers);
    return true;
  };

  /** A small file in one read, kept for the next request; a large one streamed from the same descriptor. */
  const sendLibraryFile = async (request: IncomingMessage, response: ServerResponse, relative: string, file: string, headers: Record<string, string>) => {
    let handle;
    try {
      handle = await fs.open(file, 'r');
    } catch {
      return false;
    }
    let streaming = false;
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) return false;
      if (stat.size <= SMALL_FILE_BYTES) {
        const bytes = await handle.readFile();
        recent.set(relative, bytes);
        sendBytes(request, response, relative, bytes, headers);
        return true;
      }
      response.writeHead(200, { 'content-type': typeOf(file), 'content-length': String(stat.size), ...headers });
      if (request.method === 'HEAD') response.end();
      else {
        // The stream closes the descriptor when it ends; a browser that stops reading halfway is no error.
        streaming = true;
        pipeline(handle.createReadStream(), response).catch(() => undefined);
      }
      return true;
    } finally {
      if (!streaming) await handle.close();
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const auth = authorised(request, url);
    if (!auth) return refuse(response, 403, 'This studio session needs the link that `studio serve` printed (with its token).');
    const common: Record<string, string> = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
    if (auth === 'query') common['set-cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;

    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return refuse(response, 400, 'The path is not valid.');
    }

    if (request.method === 'POST' && pathname.startsWith(UPLOAD_PATH)) {
      // The page's fetch names its origin on a POST; another site's form or script would name its own.
      if (request.headers.origin === undefined || !origins().has(request.headers.origin)) {
        response.setHeader('connection', 'close');
        return refuse(response, 403, 'Uploads come from the studio page only.');
      }
      return upload(request, response, pathname.slice(UPLOAD_PATH.length).split('/'));
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(response, 405, 'Only GET and HEAD are served here.');

    if (pathname.startsWith(FILES_PATH)) {
      const relative = pathname.slice(FILES_PATH.length);
      // Content-addressed names never change content, so the browser may keep them.
      const headers = { ...common, 'cache-control': 'private, max-age=31536000, immutable' };
      const kept = recent.get(relative);
      if (kept !== undefined) return sendBytes(request, response, relative, kept, headers);
      const folder = relative.split('/')[0] ?? '';
      const file = LIBRARY_FOLDERS.includes(folder) ? await containedPath(options.studio.library.dir, relative, await libraryRoot()) : undefined;
      if (file === undefined) return refuse(response, 403, 'Only images inside the library are served.');
      if (!(await sendLibraryFile(request, response, relative, file, headers))) refuse(response, 404, 'There is no such image in the library.');
      return;
    }

    const html = { ...common, 'content-security-policy': csp(), 'cache-control': 'no-store' };
    const asset = pathname === '/' ? undefined : await containedPath(options.rendererDir, `.${pathname}`);
    if (asset !== undefined && (await sendFile(request, response, asset, { ...common, 'content-security-policy': csp() }))) return;
    // Any other path is a route of the single-page app.
    if (await sendIndex(request, response, html)) return;
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...html, 'content-security-policy': csp(PLACEHOLDER_STYLE_SOURCE) });
    response.end(request.method === 'HEAD' ? undefined : PLACEHOLDER);
  };

  let uploads: Promise<string> | undefined;
  const uploadRoot = () => (uploads ??= fs.mkdtemp(path.join(tmpdir(), 'studio-uploads-')));

  /** `[batch, name]`: one file into the batch's folder; `[batch]`: import the batch and remove its folder. */
  const upload = async (request: IncomingMessage, response: ServerResponse, parts: readonly string[]) => {
    // A refused upload's body is not read: closing the connection spares reading it to keep the socket alive.
    const decline = (status: number, message: string) => {
      response.setHeader('connection', 'close');
      refuse(response, status, message);
    };
    const [batch = '', name, ...rest] = parts;
    if (!UPLOAD_BATCH_PATTERN.test(batch) || rest.length > 0) return decline(404, 'There is no such upload.');
    const folder = path.join(await uploadRoot(), batch);
    if (name === undefined) {
      const files = await fs.readdir(folder).catch(() => [] as string[]);
      if (files.length === 0) return refuse(response, 400, 'That upload has no files.');
      const result = await options.studio.dispatch('importFiles', { paths: files.map((f) => path.join(folder, f)) });
      await fs.rm(folder, { recursive: true, force: true });
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(result));
      return;
    }
    if (!/^[^/\\\0]{1,200}$/.test(name) || name.startsWith('.') || !UPLOAD_EXTENSIONS.has(path.extname(name).toLowerCase())) {
      return decline(415, 'Only PNG, JPEG and WebP files can be imported.');
    }
    const length = Number(request.headers['content-length']);
    if (!Number.isSafeInteger(length)) return decline(411, 'An upload must say its length.');
    if (length > MAX_UPLOAD_BYTES) return decline(413, `A file may be at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB.`);
    await fs.mkdir(folder, { recursive: true });
    const partial = path.join(folder, `.${randomBytes(8).toString('hex')}.part`);
    let received = 0;
    try {
      await pipeline(
        request,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            received += chunk.length;
            if (received > length) throw new Error('more bytes than announced');
            yield chunk;
          }
        },
        createWriteStream(partial),
      );
      if (received !== length) throw new Error('fewer bytes than announced');
      await fs.rename(partial, path.join(folder, name));
    } catch (error) {
      await fs.rm(partial, { force: true });
      log('warn', `web host: an upload failed: ${error instanceof Error ? error.message : String(error)}`);
      return decline(400, 'The upload did not arrive whole; try again.');
    }
    response.writeHead(204, { 'cache-control': 'no-store' });
    response.end();
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log('error', `web host: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!response.headersSent) refuse(response, 500, 'The studio could not answer this request.');
      else response.destroy();
    });
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const origin = request.headers.origin;
    if (url.pathname !== SOCKET_PATH || !authorised(request, url) || origin === undefined || !origins().has(origin)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serveSocket(ws));
  });

  const serveSocket = (ws: WebSocket) => {
    const send = (message: WireMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const unsubscribe = options.studio.subscribe((event) => send({ kind: 'event', name: event.name, payload: event.payload }));
    ws.on('close', unsubscribe);
    ws.on('message', (data, isBinary) => {
      let call: WireCall;
      try {
        if (isBinary) throw new Error('binary frame');
        call = WireCall.parse(JSON.parse(String(data)));
      } catch {
        // Our client never sends these: whatever does is not our client.
        ws.close(1008, 'malformed message');
        return;
      }
      void options.studio.dispatch(call.name, call.input).then((result) => send({ kind: 'result', id: call.id, result }));
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?${TOKEN_PARAM}=${token}`,
    port,
    token,
    close: async () => {
      stopWatching();
      for (const ws of sockets.clients) ws.close(1001, 'the studio is closing');
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (uploads !== undefined) await fs.rm(await uploads, { recursive: true, force: true });
    },
  };
}
