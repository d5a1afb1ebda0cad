/**
 * main.test.ts's child process: runs the built main bundle (argv[2]) against the stand-in Electron, plays
 * Electron's and the page's parts, and prints what it saw as one JSON object on stdout.
 *
 * Runtime: Node (with tsx), in a child process of main.test.ts.
 */
import { readFile } from 'node:fs/promises';
import { register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

register('./hooks.mjs', import.meta.url);
const { app, BrowserWindow, ipcHandlers, PreventableEvent, record, sessionHandlers } = await import('./electron');

const bundle = process.argv[2];
if (bundle === undefined) throw new Error('usage: run-main.ts <out/main/index.mjs>');

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

await import(pathToFileURL(bundle).href);
const beforeReady = record.map((r) => ({ name: r.name, args: r.args }));
app.fireReady();

const window = await until('the window', () => BrowserWindow.windows[0]);
await until('the IPC handlers', () => (ipcHandlers.size === 2 ? true : undefined));
const contents = window.webContents;
const trusted = { sender: { id: contents.id }, senderFrame: { url: 'studio://app/', parent: null } };
const invoke = (channel: string, event: unknown, ...args: unknown[]) => {
  const handler = ipcHandlers.get(channel) as ((event: unknown, ...args: unknown[]) => Promise<unknown>) | undefined;
  if (handler === undefined) throw new Error(`no handler for ${channel}`);
  return handler(event, ...args);
};

// The protocol, as the page's loads would reach it.
const handle = sessionHandlers.protocol.get('studio');
if (handle === undefined) throw new Error('no studio:// handler');
const page = await handle(new Request('studio://app/'));
const escape = await handle(new Request('studio://library/originals/..%2F..%2Fsettings.json'));

// Permissions and navigation.
const granted = (permission: string, requestingUrl: string) =>
  new Promise<boolean>((resolve) => sessionHandlers.permissionRequest?.(contents, permission, resolve, { requestingUrl }));
const navigation = new PreventableEvent('https://example.com/docs');
contents.emit('will-navigate', navigation);
const inApp = new PreventableEvent('studio://app/#/gallery');
contents.emit('will-navigate', inApp);
const subframe = Object.assign(new PreventableEvent('https://example.com/frame'), { isMainFrame: false });
contents.emit('will-frame-navigate', subframe);

// The page's calls.
const models = (await invoke('studio:call', trusted, 'listModels', undefined)) as { ok: boolean; value: { id: string }[] };
const untrusted = await invoke('studio:call', { ...trusted, senderFrame: { url: 'https://evil.example/', parent: null } }, 'listModels', undefined).then(
  () => 'answered',
  (error: unknown) => (error instanceof Error ? error.message : String(error)),
);
const submitted = await invoke('studio:call', trusted, 'submitGeneration', {
  modelId: 'embedded',
  prompt: 'a yellow circle',
  sampler: 'euler',
  steps: 4,
  guidance: 7,
  seed: 5,
  width: 64,
  height: 64,
});
const created = await until('image.created sent to the window', () => contents.sent.find((s) => s.channel === 'studio:event' && s.args[0] === 'image.created'));
const image = (created.args[1] as { image: { filePath: string } }).image;
const revealed = await invoke('studio:desktop', trusted, 'revealFile', { filePath: image.filePath });

// Closing the window keeps its bounds; quitting waits for the Studio to close, then quits.
window.emit('close');
const held = new PreventableEvent();
app.emit('before-quit', held);
await until('the quit', () => (app.quitted ? true : undefined));
await until('the engine to exit', () => (record.some((r) => r.name === 'utilityProcess.exit') ? true : undefined), 10_000);

const userData = app.getPath('userData');
const report = {
  beforeReady,
  userData,
  webPreferences: window.options['webPreferences'],
  loadedUrl: window.loadedUrl,
  page: { status: page.status, csp: page.headers.get('content-security-policy'), body: await page.text() },
  escapeStatus: escape.status,
  permissions: {
    media: await granted('media', 'studio://app/'),
    fullscreen: await granted('fullscreen', 'studio://app/'),
    fullscreenElsewhere: await granted('fullscreen', 'https://example.com/'),
    check: sessionHandlers.permissionCheck?.(contents, 'geolocation', 'studio://app'),
    device: sessionHandlers.devicePermission?.(),
  },
  navigation: { externalPrevented: navigation.defaultPrevented, inAppPrevented: inApp.defaultPrevented, subframePrevented: subframe.defaultPrevented },
  windowOpen: contents.windowOpenHandler?.({ url: 'https://example.com/new' }),
  modelIds: models.ok ? models.value.map((m) => m.id) : [],
  untrusted,
  submitted,
  eventsSent: [...new Set(contents.sent.filter((s) => s.channel === 'studio:event').map((s) => s.args[0]))],
  revealed,
  quitHeld: held.defaultPrevented,
  windowState: JSON.parse(await readFile(path.join(userData, 'window-state.json'), 'utf8')) as unknown,
  record: record.map((r) => ({ name: r.name, args: r.args })),
};
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exit(0);
