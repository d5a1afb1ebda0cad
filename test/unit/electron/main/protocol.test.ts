/**
 * The studio:// protocol handler (electron/main/protocol.ts) over real files: the renderer and library files it
 * serves, and every way out of its roots it refuses (`..` in all its spellings, absolute paths, symbolic links,
 * other library folders).
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleStudioRequest, PRIVILEGED_SCHEME, type ProtocolRoots } from '../../../../electron/main/protocol';
import { libraryFileUrl } from '../../../../electron/main/wire';

let dir: string;
let roots: ProtocolRoots;
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'studio-protocol-'));
  roots = { renderer: path.join(dir, 'renderer'), library: path.join(dir, 'library'), contentSecurityPolicy: "default-src 'none'" };
  await mkdir(path.join(roots.renderer, 'assets'), { recursive: true });
  await writeFile(path.join(roots.renderer, 'index.html'), '<!doctype html><title>Studio</title>');
  await writeFile(path.join(roots.renderer, 'assets', 'app.js'), 'console.log(1)');
  await mkdir(path.join(roots.library, 'originals', 'ab'), { recursive: true });
  await mkdir(path.join(roots.library, 'thumbnails', 'ab'), { recursive: true });
  await writeFile(path.join(roots.library, 'originals', 'ab', 'ab12 x.png'), PNG);
  await writeFile(path.join(roots.library, 'thumbnails', 'ab', 'ab12.webp'), 'webp');
  await writeFile(path.join(roots.library, 'library.sqlite'), 'the database');
  await writeFile(path.join(dir, 'secret.txt'), 'outside');
  await symlink(path.join(dir, 'secret.txt'), path.join(roots.library, 'originals', 'ab', 'escape.png'));
  await symlink(dir, path.join(roots.library, 'thumbnails', 'up'));
  await symlink(path.join(dir, 'secret.txt'), path.join(roots.renderer, 'assets', 'escape.js'));
});

afterAll(() => rm(dir, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => handleStudioRequest(new Request(url, { method }), roots);

describe('studio://app', () => {
  it('serves the renderer with the Content-Security-Policy', async () => {
    const page = await get('studio://app/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(roots.contentSecurityPolicy);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>Studio</title>');
    const script = await get('studio://app/assets/app.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log(1)');
  });

  it('answers any other path with index.html (routes of the single-page app)', async () => {
    const route = await get('studio://app/gallery/albums/3');
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>Studio</title>');
  });

  it('never serves what lies outside the renderer', async () => {
    for (const url of ['studio://app/../secret.txt', 'studio://app/%2e%2e/secret.txt', 'studio://app/..%2Fsecret.txt', 'studio://app/assets/escape.js', `studio://app/${encodeURIComponent(path.join(dir, 'secret.txt'))}`]) {
      const response = await get(url);
      expect(await response.text(), url).not.toContain('outside');
    }
  });

  it('answers HEAD without a body, and refuses other methods', async () => {
    const head = await get('studio://app/assets/app.js', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('14');
    expect(await head.text()).toBe('');
    expect((await get('studio://app/', 'POST')).status).toBe(405);
  });
});

describe('studio://library', () => {
  it('serves originals and thumbnails by their library-relative path', async () => {
    const original = await get(libraryFileUrl('originals/ab/ab12 x.png'));
    expect(original.status).toBe(200);
    expect(original.headers.get('content-type')).toBe('image/png');
    expect(original.headers.get('cache-control')).toContain('immutable');
    expect(new Uint8Array(await original.arrayBuffer())).toEqual(PNG);
    expect((await get(libraryFileUrl('thumbnails/ab/ab12.webp'))).headers.get('content-type')).toBe('image/webp');
  });

  it('answers 404 for an image that is not there', async () => {
    expect((await get(libraryFileUrl('originals/ab/missing.png'))).status).toBe(404);
    expect((await get(libraryFileUrl('originals/ab'))).status).toBe(404);
  });

  it('refuses the database, other folders, and every way out of the library', async () => {
    for (const url of [
      'studio://library/library.sqlite',
      'studio://library/originals/../library.sqlite',
      'studio://library/originals/%2e%2e/library.sqlite',
      'studio://library/originals/..%2F..%2Fsecret.txt',
      'studio://library/originals/ab/escape.png',
      'studio://library/thumbnails/up/secret.txt',
      `studio://library/${encodeURIComponent(path.join(dir, 'secret.txt'))}`,
      `studio://library/originals/${encodeURIComponent(path.join(dir, 'secret.txt'))}`,
      'studio://library/originals/ab/%00.png',
    ]) {
      const response = await get(url);
      expect(response.status, url).toBeGreaterThanOrEqual(400);
      expect(await response.text(), url).not.toMatch(/outside|the database/);
    }
  });

  it('answers 400 for a path that does not decode, and 404 for another host', async () => {
    expect((await get('studio://library/originals/%E0%A4%A.png')).status).toBe(400);
    expect((await get('studio://elsewhere/x')).status).toBe(404);
  });
});

it('registers a standard, secure scheme with the Fetch API and no extra powers', () => {
  expect(PRIVILEGED_SCHEME).toEqual({ scheme: 'studio', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } });
});
