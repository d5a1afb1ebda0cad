/**
 * The web host's upload route (files dropped on the page in a browser, which has no paths) and the
 * `importFiles` call behind it, over a real Studio and a real library: who may upload, what is refused, and an
 * upload imported into the library with its staging folder removed.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_UPLOAD_BYTES, type EventPayload } from '../../../../electron/contract';
import type { Studio } from '../../../../electron/core/studio';
import type { WebHost } from '../../../../electron/web/server';
import { startHostedStudio, type HostedStudio } from './support';

let hosted: HostedStudio;
let dir: string;
let studio: Studio;
let host: WebHost;

beforeAll(async () => {
  hosted = await startHostedStudio('studio-upload-');
  ({ dir, studio, host } = hosted);
});

afterAll(async () => {
  await hosted?.stop();
});

const ownOrigin = () => `http://127.0.0.1:${host.port}`;
const cookie = () => `studio_token=${host.token}`;

function post(
  pathname: string,
  body: Buffer | undefined,
  headers: Record<string, string> = { cookie: cookie(), origin: ownOrigin() },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: host.port,
        method: 'POST',
        path: pathname,
        headers: { host: `127.0.0.1:${host.port}`, 'content-length': String(body?.length ?? 0), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const png = (r: number, g: number, b: number) =>
  sharp({ create: { width: 32, height: 24, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();

function importFinished(importId: string): Promise<EventPayload<'import.done'>> {
  return new Promise((resolve, reject) => {
    const stop = studio.subscribe((event) => {
      if (event.name === 'import.done' && event.payload.importId === importId) {
        stop();
        resolve(event.payload);
      } else if (event.name === 'import.failed' && event.payload.importId === importId) {
        stop();
        reject(new Error(event.payload.error.message));
      }
    });
  });
}

describe('web host uploads', () => {
  it('imports the files of a batch, then removes the staging folder', async () => {
    const batch = 'batch-one-0001';
    const staged = async () => (await readdir(tmpdir())).filter((r) => r.startsWith('studio-staging-'));
    const stagedBefore = new Set(await staged());
    expect((await post(`/upload/${batch}/red.png`, await png(200, 10, 10))).status).toBe(204);
    expect((await post(`/upload/${batch}/${encodeURIComponent('blue sky.PNG')}`, await png(10, 10, 200))).status).toBe(204);
    const committed = await post(`/upload/${batch}`, undefined);
    expect(committed.status).toBe(200);
    const result = JSON.parse(committed.body) as { ok: boolean; value: { importId: string } };
    expect(result.ok).toBe(true);
    const { report } = await importFinished(result.value.importId);
    expect(report).toMatchObject({ imported: 2, duplicates: 0, rejected: [] });
    const listed = await studio.handlers.listImages({ filters: {}, sort: 'oldest', limit: 10 });
    expect(listed.items.map((i) => [i.width, i.height, i.source])).toEqual([
      [32, 24, 'unknown'],
      [32, 24, 'unknown'],
    ]);
    const roots = await readdir(tmpdir());
    for (const root of roots.filter((r) => r.startsWith('studio-uploads-'))) {
      expect(await readdir(path.join(tmpdir(), root))).not.toContain(batch);
    }
    expect((await staged()).filter((r) => !stagedBefore.has(r))).toEqual([]);
  });

  it('refuses uploads without the session, from another origin, of other types, too large, or to a bad batch', async () => {
    const body = await png(1, 2, 3);
    expect((await post('/upload/batch-two-0001/a.png', body, { origin: ownOrigin() })).status).toBe(403);
    expect((await post('/upload/batch-two-0001/a.png', body, { cookie: cookie(), origin: 'https://attacker.example' })).status).toBe(403);
    expect((await post('/upload/batch-two-0001/a.png', body, { cookie: cookie() })).status).toBe(403);
    expect((await post('/upload/batch-two-0001/notes.txt', body)).status).toBe(415);
    expect((await post('/upload/batch-two-0001/.hidden.png', body)).status).toBe(415);
    expect((await post('/upload/bad/a.png', body)).status).toBe(404);
    expect((await post('/upload/batch-two-0001/a/b.png', body)).status).toBe(404);
    const tooLarge = await post('/upload/batch-two-0001/big.png', undefined, {
      cookie: cookie(),
      origin: ownOrigin(),
      'content-length': String(MAX_UPLOAD_BYTES + 1),
    });
    expect(tooLarge.status).toBe(413);
    expect((await post('/upload/batch-two-0001', undefined)).status).toBe(400);
  });

  it('importFiles stages paths it is given, and names a missing one', async () => {
    const source = path.join(dir, 'source.png');
    await writeFile(source, await png(0, 200, 0));
    const started = await studio.handlers.importFiles({ paths: [source] });
    const { report } = await importFinished(started.importId);
    expect(report.imported).toBe(1);
    expect(await readdir(dir)).toContain('source.png');
    const missing = await studio.dispatch('importFiles', { paths: [path.join(dir, 'nowhere.png')] });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
