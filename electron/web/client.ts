/**
 * The renderer's `window.studio` in a browser: the contract over the web host's WebSocket. It runs in the
 * browser, so it imports nothing of Node — only the contract. The renderer's web entry calls
 * `connectStudio({ origin: location.origin, token })` with the token from the page's URL.
 *
 * Runtime: browser (also Node ≥ 22 or the `ws` package in tests: anything with a WHATWG-style WebSocket).
 */
import {
  FILES_PATH,
  SOCKET_PATH,
  TOKEN_PARAM,
  WireMessage,
  createStudioClient,
  type CallName,
  type StudioClient,
  type WireCall,
} from '../contract';

/** The part of the WHATWG WebSocket this client uses (the browser's, or `ws`'s in tests). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface ConnectOptions {
  /** The web host's origin, e.g. `http://127.0.0.1:5174` (`location.origin`). */
  readonly origin: string;
  readonly token: string;
  /** Default: the global WebSocket. */
  readonly WebSocket?: WebSocketConstructor;
  /** Replies and events that fail validation (dropped). */
  readonly onInvalid?: (what: string, error: unknown) => void;
  /** The connection is gone; calls from now on resolve to DISCONNECTED. */
  readonly onClose?: () => void;
}

export interface WebStudioClient extends StudioClient {
  close(): void;
}

const OPEN = 1;

/** Opens the WebSocket and resolves once it is open; rejects if the host refuses it (wrong token or origin). */
export function connectStudio(options: ConnectOptions): Promise<WebStudioClient> {
  const Socket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (Socket === undefined) return Promise.reject(new Error('this runtime has no WebSocket'));
  const base = new URL(options.origin);
  const socketUrl = `${base.protocol === 'https:' ? 'wss:' : 'ws:'}//${base.host}${SOCKET_PATH}?${TOKEN_PARAM}=${encodeURIComponent(options.token)}`;
  const ws = new Socket(socketUrl);
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const listeners = new Set<(name: string, payload: unknown) => void>();
  let nextId = 1;

  ws.addEventListener('message', (event) => {
    let message: WireMessage;
    try {
      message = WireMessage.parse(JSON.parse(String(event.data)));
    } catch (error) {
      options.onInvalid?.('message', error);
      return;
    }
    if (message.kind === 'result') {
      const call = pending.get(message.id);
      pending.delete(message.id);
      call?.resolve(message.result);
      return;
    }
    for (const listener of listeners) listener(message.name, message.payload);
  });

  return new Promise((resolve, reject) => {
    let opened = false;
    ws.addEventListener('open', () => {
      opened = true;
      const client = createStudioClient(
        {
          call: (name: CallName, input: unknown) =>
            new Promise((resolveCall, rejectCall) => {
              if (ws.readyState !== OPEN) {
                rejectCall(new Error('the connection to the studio is closed'));
                return;
              }
              const id = nextId++;
              pending.set(id, { resolve: resolveCall, reject: rejectCall });
              const message: WireCall = { kind: 'call', id, name, input };
              ws.send(JSON.stringify(message));
            }),
          subscribe: (listener) => {
            listeners.add(listener);
            return () => listeners.delete(listener);
          },
        },
        {
          fileUrl: (relativePath) =>
            `${base.origin}${FILES_PATH}${relativePath.split('/').map(encodeURIComponent).join('/')}?${TOKEN_PARAM}=${encodeURIComponent(options.token)}`,
          ...(options.onInvalid === undefined ? {} : { onInvalid: options.onInvalid }),
        },
      );
      resolve({ ...client, close: () => ws.close(1000, 'closed by the page') });
    });
    ws.addEventListener('close', () => {
      for (const call of pending.values()) call.reject(new Error('the connection to the studio closed'));
      pending.clear();
      if (opened) options.onClose?.();
      else reject(new Error('the studio refused the connection (the link may be from an earlier run)'));
    });
    ws.addEventListener('error', () => undefined);
  });
}
