// @vitest-environment jsdom
/** The session token (taken from the URL once, kept for reloads), and reconnecting after the socket drops. */
import { describe, expect, it, vi } from 'vitest';
import type { WebStudioClient } from '../../../electron/web/client';
import { reconnectingClient, takeToken } from '../../../renderer/src/host';

describe('takeToken', () => {
  it('moves the token from the URL to sessionStorage, and a reload finds it there', () => {
    window.sessionStorage.clear();
    window.history.replaceState(null, '', '/?token=abc123&x=1#/gallery');
    expect(takeToken(window.location, window.history, window.sessionStorage)).toBe('abc123');
    expect(window.location.search).toBe('?x=1');
    expect(window.location.hash).toBe('#/gallery');
    expect(takeToken(window.location, window.history, window.sessionStorage)).toBe('abc123');
  });

  it('falls back to no token (the host’s cookie) in a new tab without one', () => {
    window.sessionStorage.clear();
    window.history.replaceState(null, '', '/');
    expect(takeToken(window.location, window.history, window.sessionStorage)).toBe('');
  });
});

describe('reconnectingClient', () => {
  it('says reconnecting when the socket drops, lost after repeated failures, and moves listeners to the new socket', async () => {
    vi.useFakeTimers();
    const sockets: { onClose: () => void; listeners: Set<(p: unknown) => void> }[] = [];
    let refuse = false;
    const open = (onClose: () => void): Promise<WebStudioClient> => {
      if (refuse) return Promise.reject(new Error('refused'));
      const socket = { onClose, listeners: new Set<(p: unknown) => void>() };
      sockets.push(socket);
      const client = {
        listAlbums: async () => ({ ok: true, value: [] }),
        on: (_name: string, listener: (p: unknown) => void) => {
          socket.listeners.add(listener);
          return () => socket.listeners.delete(listener);
        },
        fileUrl: (p: string) => `/library/${p}`,
        close: () => undefined,
      };
      return Promise.resolve(client as unknown as WebStudioClient);
    };
    const statuses: string[] = [];
    const client = await reconnectingClient(open, (s) => statuses.push(s));
    const seen: unknown[] = [];
    client.on('library.changed', (p) => seen.push(p));
    expect(await client.listAlbums()).toEqual({ ok: true, value: [] });

    refuse = true;
    sockets[0]?.onClose();
    expect(statuses).toEqual(['reconnecting']);
    expect(await client.listAlbums()).toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(statuses).toEqual(['reconnecting', 'lost']);

    refuse = false;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(statuses).toEqual(['reconnecting', 'lost', 'connected']);
    expect(sockets).toHaveLength(2);
    for (const listener of sockets[1]?.listeners ?? []) listener({ what: 'albums' });
    expect(seen).toEqual([{ what: 'albums' }]);
    vi.useRealTimers();
  });
});
