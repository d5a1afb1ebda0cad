/**
 * The window's security, as decisions that do not need Electron to run (Electron's security checklist):
 * the window's options, the Content-Security-Policy, which navigations and links are allowed, which
 * permission requests are granted, and which IPC senders are ours. index.ts applies them to the real objects;
 * test/unit/electron/main checks them under Node.
 *
 * Runtime: Electron main (imports only Electron's types).
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { LIBRARY_ORIGIN, isAppUrl } from './wire';
import type { WindowBounds } from './window-state';

/**
 * The renderer: isolated from the preload, sandboxed, without Node, with web security, no <webview>, and no
 * navigation when a file is dropped (the renderer imports it instead). Hidden until its first paint.
 */
export function windowOptions(preload: string, bounds: WindowBounds): BrowserWindowConstructorOptions {
  return {
    ...bounds,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'Studio',
    backgroundColor: '#15171c',
    webPreferences: {
      preload,
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
      // Chromium's spellchecker downloads its dictionaries from Google: an offline studio makes no such request
      // (and prompts are mostly not prose).
      spellcheck: false,
    },
  };
}

/**
 * Sent with every `studio://app` response. Scripts, styles and fonts from the app only (no inline script, no
 * eval); images also from the library, as data: (live previews) or blob: URLs, and over https (the community
 * gallery's thumbnails, short-lived URLs on the platform's storage); nothing else may be fetched from the
 * network, framed, or posted. A platform on this machine over http (`npm run platform:dev`, the default of a
 * development build) serves its thumbnails from its storage's loopback port, so with one the policy also lets
 * images come from loopback http — and only then.
 */
export function contentSecurityPolicy(platformUrl: string): string {
  const loopback = isLoopbackHttp(platformUrl) ? ' http://127.0.0.1:* http://localhost:*' : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "font-src 'self'",
    `img-src 'self' ${LIBRARY_ORIGIN} data: blob: https:${loopback}`,
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function isLoopbackHttp(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && (hostname === '127.0.0.1' || hostname === 'localhost');
}

/** An http(s) link to hand to the user's browser (normalised), or undefined for any other URL. */
export function externalLink(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** What to do when the page tries to go somewhere (`will-navigate`, `will-redirect`, `window.open`). */
export type NavigationDecision = { readonly action: 'allow' } | { readonly action: 'deny'; readonly openExternal?: string };

/** Within the app: allowed (the renderer's own routes). An http(s) link: denied here, opened in the browser. */
export function navigationDecision(url: string): NavigationDecision {
  if (isAppUrl(url)) return { action: 'allow' };
  const external = externalLink(url);
  return external === undefined ? { action: 'deny' } : { action: 'deny', openExternal: external };
}

/** New windows never open: an http(s) link goes to the browser, anything else is dropped. */
export function windowOpenDecision(url: string): { readonly action: 'deny'; readonly openExternal?: string } {
  const external = externalLink(url);
  return external === undefined ? { action: 'deny' } : { action: 'deny', openExternal: external };
}

/**
 * The permissions the app's own page may have: writing text to the clipboard (copy the parameters) and full
 * screen (the image viewer). Camera, microphone, geolocation, notifications, MIDI, USB… are refused, and
 * anything asked by a page that is not the app is refused.
 */
export const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write', 'fullscreen']);

export function permissionGranted(permission: string, requestingUrl: string): boolean {
  return GRANTED_PERMISSIONS.has(permission) && isAppUrl(requestingUrl);
}

/** What an IPC event says about who sent it (Electron's IpcMainInvokeEvent fits). */
export interface IpcSenderInfo {
  readonly sender: { readonly id: number };
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

/**
 * Only our window's top frame, showing the app, may call main: not an iframe, not a page it navigated to, not
 * another webContents.
 */
export function isTrustedSender(event: IpcSenderInfo, windowContentsId: number | undefined): boolean {
  const frame = event.senderFrame;
  return windowContentsId !== undefined && event.sender.id === windowContentsId && frame !== null && frame.parent === null && isAppUrl(frame.url);
}
