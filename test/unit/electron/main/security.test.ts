/** The window's security decisions (electron/main/security.ts), as index.ts applies them. */
import { describe, expect, it } from 'vitest';
import {
  contentSecurityPolicy,
  externalLink,
  isTrustedSender,
  navigationDecision,
  permissionGranted,
  windowOpenDecision,
  windowOptions,
} from '../../../../electron/main/security';

describe('windowOptions', () => {
  it('follows the security checklist: isolated, sandboxed, no Node, web security on, no webview, no spellchecker downloads', () => {
    const options = windowOptions('/app/out/preload/index.cjs', { width: 1000, height: 700 });
    expect(options.webPreferences).toEqual({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    });
    expect(options).toMatchObject({ width: 1000, height: 700, show: false });
    expect(options.x).toBeUndefined();
  });

  it('places the window where it was', () => {
    expect(windowOptions('/p', { x: 40, y: 30, width: 900, height: 600 })).toMatchObject({ x: 40, y: 30, width: 900, height: 600 });
  });
});

describe('contentSecurityPolicy', () => {
  const policy = contentSecurityPolicy('https://platform.example');
  const directives = (text: string) => new Map(text.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));

  it('denies by default and allows scripts and styles from the app only: no inline code, no eval', () => {
    expect(directives(policy).get('default-src')).toEqual(["'none'"]);
    expect(directives(policy).get('script-src')).toEqual(["'self'"]);
    expect(directives(policy).get('style-src')).toEqual(["'self'"]);
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('lets images come from the library, data: (previews) and https (community thumbnails), and nothing else reach the network', () => {
    expect(directives(policy).get('img-src')).toEqual(["'self'", 'studio://library', 'data:', 'blob:', 'https:']);
    expect(directives(policy).get('connect-src')).toEqual(["'self'"]);
    expect(policy.replace(/img-src [^;]*/, '')).not.toMatch(/https?:/);
    expect(policy).not.toMatch(/http:/);
    for (const name of ['object-src', 'base-uri', 'form-action', 'frame-src', 'frame-ancestors']) expect(directives(policy).get(name)).toEqual(["'none'"]);
  });

  it('lets images also come from loopback http for a platform on this machine over http, and only for one', () => {
    for (const local of ['http://127.0.0.1:8787', 'http://localhost:9000/']) {
      const dev = contentSecurityPolicy(local);
      expect(directives(dev).get('img-src')).toEqual(["'self'", 'studio://library', 'data:', 'blob:', 'https:', 'http://127.0.0.1:*', 'http://localhost:*']);
      expect(dev.replace(/img-src [^;]*/, '')).toBe(policy.replace(/img-src [^;]*/, ''));
    }
    for (const remote of ['http://192.168.1.20:8787', 'https://127.0.0.1:8787', 'not a url']) expect(contentSecurityPolicy(remote)).toBe(policy);
  });
});

describe('navigation and links', () => {
  it('keeps the window on the app', () => {
    expect(navigationDecision('studio://app/')).toEqual({ action: 'allow' });
    expect(navigationDecision('studio://app/gallery?album=3')).toEqual({ action: 'allow' });
    expect(navigationDecision('studio://library/originals/ab/ab12.png')).toEqual({ action: 'deny' });
    expect(navigationDecision('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(navigationDecision('javascript:alert(1)')).toEqual({ action: 'deny' });
    expect(navigationDecision('not a url')).toEqual({ action: 'deny' });
  });

  it('sends web links to the browser instead of navigating', () => {
    expect(navigationDecision('https://example.com/help')).toEqual({ action: 'deny', openExternal: 'https://example.com/help' });
    expect(navigationDecision('http://example.com')).toEqual({ action: 'deny', openExternal: 'http://example.com/' });
  });

  it('never opens a new window; web links go to the browser, other schemes nowhere', () => {
    expect(windowOpenDecision('https://example.com/x')).toEqual({ action: 'deny', openExternal: 'https://example.com/x' });
    expect(windowOpenDecision('studio://app/')).toEqual({ action: 'deny' });
    for (const url of ['file:///home', 'smb://server/share', 'mailto:a@b.c', 'vbscript:x', 'ms-settings:', '']) {
      expect(windowOpenDecision(url)).toEqual({ action: 'deny' });
      expect(externalLink(url)).toBeUndefined();
    }
  });
});

describe('permissionGranted', () => {
  it('grants the clipboard write and full screen to the app page only', () => {
    expect(permissionGranted('clipboard-sanitized-write', 'studio://app/')).toBe(true);
    expect(permissionGranted('fullscreen', 'studio://app')).toBe(true);
    expect(permissionGranted('fullscreen', 'https://example.com/')).toBe(false);
  });

  it('refuses everything else', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'midiSysex', 'openExternal', 'clipboard-read', 'usb', 'hid', 'serial', 'display-capture', 'pointerLock']) {
      expect(permissionGranted(permission, 'studio://app/')).toBe(false);
    }
  });
});

describe('isTrustedSender', () => {
  const top = (url: string) => ({ url, parent: null });

  it("accepts our window's top frame showing the app", () => {
    expect(isTrustedSender({ sender: { id: 7 }, senderFrame: top('studio://app/settings') }, 7)).toBe(true);
  });

  it('refuses another webContents, a subframe, a page that is not the app, a destroyed frame, or no window', () => {
    expect(isTrustedSender({ sender: { id: 8 }, senderFrame: top('studio://app/') }, 7)).toBe(false);
    expect(isTrustedSender({ sender: { id: 7 }, senderFrame: { url: 'studio://app/', parent: top('studio://app/') } }, 7)).toBe(false);
    expect(isTrustedSender({ sender: { id: 7 }, senderFrame: top('https://evil.example/') }, 7)).toBe(false);
    expect(isTrustedSender({ sender: { id: 7 }, senderFrame: top('file:///tmp/x.html') }, 7)).toBe(false);
    expect(isTrustedSender({ sender: { id: 7 }, senderFrame: null }, 7)).toBe(false);
    expect(isTrustedSender({ sender: { id: 7 }, senderFrame: top('studio://app/') }, undefined)).toBe(false);
  });
});
