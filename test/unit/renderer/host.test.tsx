// @vitest-environment jsdom
/** The session token: taken from the page's URL once, kept for reloads, and out of the address bar. */
import { describe, expect, it } from 'vitest';
import { takeToken } from '../../../renderer/src/host';

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
