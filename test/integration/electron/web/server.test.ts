/**
 * The web host over a real Studio and a real engine: who it refuses (token, Host, Origin), which library paths
 * it refuses, and a generation driven end to end through the browser client over a real WebSocket.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { EventName, EventPayload } from '../../../../electron/contract';
import { EMBEDDED_MODEL_ID } from '../../../../electron/core/models';
import type { Studio } from '../../../../electron/core/studio';
import { connectStudio, type WebSocketConstructor, type WebStudioClient } from '../../../../electron/web/client';
import type { WebHost } from '../../../../electron/web/server';
import { startHostedStudio, type HostedStudio } from './support';

let hosted: HostedStudio;
let dir: string;
let studio: Studio;
let host: WebHost;

beforeAll(async () => {
  hosted = await startHostedStudio('studio-web-');
  ({ dir, studio, host } = hosted);
});

afterAll(async () => {
  await hosted?.stop();
});

/** A raw GET, so that the test controls the path and headers exactly (no URL normalisation). */
function get(pathAndQuery: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: host.port, path: pathAndQuery, method, headers: { host: `127.0.0.1:${host.port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The HTTP status a WebSocket upgrade gets (101 when accepted). */
function upgradeStatus(url: string, origin: string | undefined): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(0));
  });
}

const token = () => `token=${host.token}`;
const socketUrl = (query: string) => `ws://127.0.0.1:${host.port}/studio${query}`;
const ownOrigin = () => `http://127.0.0.1:${host.port}`;

describe('web host', () => {
  it('refuses requests without the token, with a wrong one, or naming another host', async () => {
    expect((await get('/')).status).toBe(403);
    expect((await get('/?token=wrong')).status).toBe(403);
    expect((await get(`/?${token()}`, { host: 'attacker.example:80' })).status).toBe(403);
    expect((await get(`/library/originals/x.png`)).status).toBe(403);
  });

  it('serves the placeholder page with the token, and sets the session cookie that later requests use', async () => {
    const page = await get(`/?${token()}`);
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain('interface is not built yet');
    expect(String(page.headers['content-security-policy'])).toContain("default-src 'self'");
    // Its own style passes its own CSP: no style attribute, and the one style sheet allowed by its hash.
    const html = page.body.toString();
    expect(html).not.toMatch(/\sstyle=/);
    const sheet = /<style>([^<]*)<\/style>/.exec(html)?.[1] ?? '';
    expect(sheet).toContain('font-family');
    const styleSrc = String(page.headers['content-security-policy']).split('; ').find((d) => d.startsWith('style-src '));
    expect(styleSrc).toBe(`style-src 'sha256-${createHash('sha256').update(sheet).digest('base64')}'`);
    const cookie = String(page.headers['set-cookie']).split(';')[0] ?? '';
    expect(cookie).toBe(`studio_token=${host.token}`);
    expect((await get('/gallery', { cookie })).status).toBe(200);
    expect((await get('/gallery', { cookie: 'studio_token=wrong' })).status).toBe(403);
  });

  it('serves the built renderer when there is one', async () => {
    await mkdir(path.join(dir, 'renderer', 'assets'), { recursive: true });
    await writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>built</title>');
    await writeFile(path.join(dir, 'renderer', 'assets', 'app.js'), 'export {};');
    expect((await get(`/?${token()}`)).body.toString()).toContain('built');
    const script = await get(`/assets/app.js?${token()}`);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect((await get(`/assets/../../settings.json?${token()}`)).body.toString()).not.toContain('executionProvider');
  });

  it('refuses WebSocket upgrades without the token or from another origin', async () => {
    expect(await upgradeStatus(socketUrl(''), ownOrigin())).toBe(403);
    expect(await upgradeStatus(socketUrl('?token=wrong'), ownOrigin())).toBe(403);
    expect(await upgradeStatus(socketUrl(`?${token()}`), 'https://attacker.example')).toBe(403);
    expect(await upgradeStatus(socketUrl(`?${token()}`), undefined)).toBe(403);
    expect(await upgradeStatus(socketUrl(`?${token()}`), ownOrigin())).toBe(101);
  });

  it('refuses library paths outside originals/ and thumbnails/, encoded traversal and symbolic links out', async () => {
    const library = studio.library.dir;
    await writeFile(path.join(dir, 'secret.txt'), 'secret');
    await mkdir(path.join(library, 'originals', 'zz'), { recursive: true });
    await symlink(path.join(dir, 'secret.txt'), path.join(library, 'originals', 'zz', 'link.png'));
    for (const p of ['/library/library.sqlite', '/library/originals/..%2f..%2fsecret.txt', '/library/originals/zz/link.png', '/library/thumbnails/%2e%2e%2f%2e%2e%2fsecret.txt']) {
      const res = await get(`${p}?${token()}`);
      expect(res.status, p).toBe(403);
      expect(res.body.toString()).not.toContain('secret');
    }
    expect((await get(`/library/originals/ab/missing.png?${token()}`)).status).toBe(404);
  });

  it('serves library files whole, small (read at once) and large (streamed), cacheable for good, alike when asked again', async () => {
    const small = randomBytes(2000);
    const large = randomBytes(600 * 1024);
    await mkdir(path.join(studio.library.dir, 'thumbnails', 'cd'), { recursive: true });
    await mkdir(path.join(studio.library.dir, 'originals', 'cd'), { recursive: true });
    await writeFile(path.join(studio.library.dir, 'thumbnails', 'cd', 'small.webp'), small);
    await writeFile(path.join(studio.library.dir, 'originals', 'cd', 'large.png'), large);
    for (const [file, bytes, type] of [['thumbnails/cd/small.webp', small, 'image/webp'], ['originals/cd/large.png', large, 'image/png']] as const) {
      for (let i = 0; i < 2; i++) {
        const res = await get(`/library/${file}?${token()}`);
        expect(res.status, file).toBe(200);
        expect(res.headers['content-type']).toBe(type);
        expect(res.headers['content-length']).toBe(String(bytes.length));
        expect(res.headers['cache-control']).toBe('private, max-age=31536000, immutable');
        expect(res.body.equals(bytes), file).toBe(true);
      }
      const head = await get(`/library/${file}?${token()}`, {}, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.headers['content-length']).toBe(String(bytes.length));
      expect(head.body.length).toBe(0);
    }
  });

  it('runs a generation over the WebSocket: job ids, progress, image.created, then the image by its URL', async () => {
    // What a browser does: a WebSocket opened by the page carries the page's origin.
    const origin = ownOrigin();
    const BrowserLikeSocket = class extends WebSocket {
      constructor(url: string) {
        super(url, { origin });
      }
    };
    const client: WebStudioClient = await connectStudio({ origin, token: host.token, WebSocket: BrowserLikeSocket as unknown as WebSocketConstructor });
    const seen: string[] = [];
    const when = <K extends EventName>(name: K, test: (p: EventPayload<K>) => boolean) =>
      new Promise<EventPayload<K>>((resolve) => {
        const stop = client.on(name, (payload) => {
          seen.push(name);
          if (test(payload)) {
            stop();
            resolve(payload);
          }
        });
      });
    try {
      const models = await client.listModels();
      expect(models.ok && models.value.map((m) => m.id)).toContain(EMBEDDED_MODEL_ID);
      const progress = when('job.progress', (p) => p.previews !== undefined);
      const created = when('image.created', () => true);
      const submitted = await client.submitGeneration({
        modelId: EMBEDDED_MODEL_ID,
        prompt: 'a small yellow square on a purple background',
        sampler: 'euler',
        steps: 8,
        guidance: 7,
        seed: 7,
        width: 64,
        height: 64,
      });
      if (!submitted.ok) throw new Error(submitted.error.message);
      const [jobId] = submitted.value.jobIds;
      const preview = await progress;
      expect(preview.jobId).toBe(jobId);
      expect(preview.previews?.[0]?.dataUrl).toMatch(/^data:image\/png;base64,/);
      const { image } = await created;
      expect(image).toMatchObject({ prompt: 'a small yellow square on a purple background', seed: 7, width: 64, height: 64 });

      // The built page names the newest thumbnails for the browser to fetch while its scripts load, by the very
      // URLs the client makes for them.
      await writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html><html><head><title>built</title></head><body></body></html>');
      const thumbnail = new URL(client.fileUrl(image.thumbnailPath ?? image.filePath));
      const page = (await get(`/?${token()}`)).body.toString();
      expect(page).toContain(`<link rel="preload" as="image" fetchpriority="high" href="${thumbnail.pathname}${thumbnail.search}"></head>`);

      const url = new URL(client.fileUrl(image.filePath));
      const file = await get(`${url.pathname}${url.search}`);
      expect(file.status).toBe(200);
      expect(file.headers['content-type']).toBe('image/png');
      expect(file.body.subarray(1, 4).toString()).toBe('PNG');

      const invalid = await client.setRating({ selection: { ids: [image.id] }, rating: 9 });
      expect(invalid).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(await client.setFavourite({ selection: { ids: [image.id] }, favourite: true })).toEqual({ ok: true, value: { changed: 1 } });
      const favourites = await client.countImages({ filters: { favourite: true } });
      expect(favourites).toEqual({ ok: true, value: { count: 1 } });
    } finally {
      client.close();
    }
  });
});
