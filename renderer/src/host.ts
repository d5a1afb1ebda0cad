/**
 * How this page reaches the studio: `window.studio` in the Electron app (the preload puts it there), else the
 * web host's WebSocket. In a browser the session token comes from the page's URL; it is moved to
 * sessionStorage and taken out of the address bar, so a reload (or the cookie the host set, in a new tab) keeps
 * working. A dropped connection is retried with backoff, behind a client that stays the same object, so the
 * store never holds a dead one.
 *
 * Runtime: renderer (DOM).
 */
import {
  CALL_NAMES,
  MAX_UPLOAD_BYTES,
  TOKEN_PARAM,
  UPLOAD_PATH,
  fail,
  type CallName,
  type EventName,
  type EventPayload,
  type Result,
  type StudioApi,
  type StudioClient,
  type StudioDesktop,
} from '../../electron/contract';
import { connectStudio, type WebStudioClient } from '../../electron/web/client';

declare global {
  interface Window {
    readonly studio?: StudioClient;
    readonly studioDesktop?: StudioDesktop;
  }
}

/** `lost`: still retrying, but for long enough that the studio has probably stopped or restarted (with a new link). */
export type ConnectionStatus = 'connected' | 'reconnecting' | 'lost';

/** Failed reconnection attempts (about half a minute with the backoff) before the connection counts as lost. */
export const ATTEMPTS_BEFORE_LOST = 6;

/** What the store needs from the host besides the contract. */
export interface Host {
  readonly client: StudioClient;
  /** Present in the desktop app only: "reveal in folder" and the system clipboard. */
  readonly desktop: StudioDesktop | null;
  /** Imports dropped files: by path on the desktop, by upload in a browser; `onUploaded` counts files sent. */
  importFiles(files: readonly File[], onUploaded: (sent: number) => void): Promise<Result<{ readonly importId: string }>>;
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
}

const TOKEN_KEY = 'studio.token';
const IMPORTABLE = /\.(png|jpe?g|webp)$/i;

/** The token from the URL (then kept in sessionStorage and removed from the address bar), or the kept one. */
export function takeToken(location: Location, history: History, storage: Storage): string {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get(TOKEN_PARAM);
  if (fromUrl !== null && fromUrl !== '') {
    storage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete(TOKEN_PARAM);
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  // Empty: the host's HttpOnly cookie, sent with the WebSocket upgrade, proves the session instead.
  return storage.getItem(TOKEN_KEY) ?? '';
}

type AnyListener = (payload: never) => void;

/**
 * A StudioClient over a connection that may drop: calls go to the live socket (DISCONNECTED while there is
 * none), listeners are moved onto each new socket. Rejects if the first connection is refused.
 */
export async function reconnectingClient(open: (onClose: () => void) => Promise<WebStudioClient>, setStatus: (s: ConnectionStatus) => void): Promise<StudioClient> {
  let current: WebStudioClient | null = null;
  const listeners = new Map<AnyListener, { name: EventName; stop: () => void }>();
  let delay = 500;
  let failures = 0;
  const connect = (): Promise<WebStudioClient> => open(dropped);
  function dropped() {
    current = null;
    setStatus('reconnecting');
    const attempt = () => {
      connect().then(
        (client) => {
          current = client;
          delay = 500;
          failures = 0;
          for (const [listener, entry] of listeners) entry.stop = client.on(entry.name, listener as (payload: EventPayload<typeof entry.name>) => void);
          setStatus('connected');
        },
        () => {
          if (++failures === ATTEMPTS_BEFORE_LOST) setStatus('lost');
          delay = Math.min(delay * 2, 8000);
          setTimeout(attempt, delay);
        },
      );
    };
    setTimeout(attempt, delay);
  }
  const first = await connect();
  current = first;
  const calls = Object.fromEntries(
    CALL_NAMES.map((name: CallName) => [
      name,
      (input?: unknown) =>
        current === null
          ? Promise.resolve(fail('DISCONNECTED', 'The studio is not reachable; check that it is still running.'))
          : (current[name] as (input?: unknown) => Promise<Result<unknown>>)(input),
    ]),
  ) as unknown as StudioApi;
  return {
    ...calls,
    on(name, listener) {
      const entry = { name, stop: current?.on(name, listener) ?? (() => undefined) };
      listeners.set(listener as AnyListener, entry);
      return () => {
        entry.stop();
        listeners.delete(listener as AnyListener);
      };
    },
    // The token and origin do not change between sockets, so neither do file URLs.
    fileUrl: (relativePath) => first.fileUrl(relativePath),
  };
}

/** Uploads files to the web host in one batch, then asks it to import the batch. */
async function upload(dropped: readonly File[], onUploaded: (sent: number) => void): Promise<Result<{ readonly importId: string }>> {
  // Only what the library imports is sent (folders cannot be read from a drop in a browser).
  const files = dropped.filter((f) => IMPORTABLE.test(f.name));
  if (files.length === 0) return fail('INVALID_INPUT', 'Only PNG, JPEG and WebP files can be imported.');
  const batch = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
  let sent = 0;
  for (const file of files) {
    if (file.size > MAX_UPLOAD_BYTES) return fail('INVALID_INPUT', `${file.name} is too large to import.`, { file: file.name });
    let response: Response;
    try {
      response = await fetch(`${UPLOAD_PATH}${batch}/${encodeURIComponent(file.name)}`, { method: 'POST', body: file, credentials: 'same-origin' });
    } catch (error) {
      return fail('DISCONNECTED', 'The studio is not reachable; check that it is still running.', { cause: String(error) });
    }
    if (!response.ok) return fail('IO_ERROR', (await response.text()).trim(), { file: file.name, status: response.status });
    onUploaded(++sent);
  }
  try {
    const response = await fetch(`${UPLOAD_PATH}${batch}`, { method: 'POST', credentials: 'same-origin' });
    return (await response.json()) as Result<{ importId: string }>;
  } catch (error) {
    return fail('DISCONNECTED', 'The studio is not reachable; check that it is still running.', { cause: String(error) });
  }
}

/** Connects to the studio this page belongs to; rejects when the web host refuses the session. */
export async function connectHost(): Promise<Host> {
  const statusListeners = new Set<(status: ConnectionStatus) => void>();
  const onStatus = (listener: (status: ConnectionStatus) => void) => {
    statusListeners.add(listener);
    return () => statusListeners.delete(listener);
  };
  if (window.studio !== undefined) {
    const client = window.studio;
    const desktop = window.studioDesktop ?? null;
    return {
      client,
      desktop,
      onStatus,
      importFiles: async (files, onUploaded) => {
        const paths = files.map((f) => desktop?.pathForFile(f) ?? '').filter((p) => p !== '');
        onUploaded(paths.length);
        return paths.length === 0 ? fail('INVALID_INPUT', 'These files have no path on this computer.') : client.importFiles({ paths });
      },
    };
  }
  const token = takeToken(window.location, window.history, window.sessionStorage);
  const client = await reconnectingClient(
    (onClose) => connectStudio({ origin: window.location.origin, token, onClose }),
    (status) => {
      for (const listener of statusListeners) listener(status);
    },
  );
  return { client, desktop: null, onStatus, importFiles: upload };
}
