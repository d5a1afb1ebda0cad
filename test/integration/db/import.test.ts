import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentHash } from '../../../db/files';
import { countImages, getImage, listImages } from '../../../db/images';
import { importFolder, type ImportProgress } from '../../../db/import';
import { claimNextJob, enqueueJob, getJob } from '../../../db/jobs';
import { LIMITS } from '../../../db/metadata/index';
import { addGeneratedImages } from '../../../db/store';
import {
  a1111Parameters,
  compressionBomb,
  hugeTextChunk,
  jpegWithUserComment,
  pixelFlood,
  pixels,
  pngWithText,
  studioPng,
  webpWithUserComment,
} from '../../fixtures/library/images';
import { tempDir, withLibrary } from './helpers';

/** A PNG whose chunk structure is sound but whose image data is garbage: only decoding can tell. */
async function garbledPixels(): Promise<Buffer> {
  const png = Buffer.from(await pixels('png', 17, 64, 64));
  const idat = png.indexOf('IDAT', 0, 'latin1');
  png.fill(7, idat + 4, idat + 4 + png.readUInt32BE(idat - 4));
  return png;
}

async function writeFixtureFolder(): Promise<string> {
  const dir = await tempDir('studio-import-');
  await mkdir(path.join(dir, 'a1111', 'nested'), { recursive: true });
  await mkdir(path.join(dir, 'comfy'), { recursive: true });
  await mkdir(path.join(dir, 'bad'), { recursive: true });
  const studio = await studioPng({ prompt: 'a red fox in the snow', negativePrompt: 'blurry', seed: 42 });
  const files: Record<string, Buffer> = {
    'studio.png': studio,
    'copy of studio.PNG': studio,
    'a1111/castle.png': await pngWithText(11, [{ type: 'tEXt', keyword: 'parameters', text: a1111Parameters({ prompt: 'a castle at dusk', negativePrompt: '', seed: 7, model: 'dream' }) }]),
    'a1111/nested/photo.jpg': await jpegWithUserComment(12, a1111Parameters({ prompt: 'une fête élégante', negativePrompt: 'flou', seed: 8 })),
    'a1111/nested/web.webp': await webpWithUserComment(13, a1111Parameters({ prompt: 'neon city lights', negativePrompt: '', seed: 9 })),
    'comfy/lighthouse.png': await pngWithText(14, [
      {
        type: 'tEXt',
        keyword: 'prompt',
        text: JSON.stringify({
          '3': { class_type: 'KSampler', inputs: { seed: 5, steps: 20, cfg: 8, sampler_name: 'euler', model: ['4', 0], positive: ['6', 0], negative: ['7', 0] } },
          '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5.safetensors' } },
          '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a lighthouse in a storm' } },
          '7': { class_type: 'CLIPTextEncode', inputs: { text: 'text' } },
        }),
      },
    ]),
    'invoke.png': await pngWithText(15, [
      { type: 'tEXt', keyword: 'invokeai_metadata', text: JSON.stringify({ positive_prompt: 'a robot gardener', negative_prompt: '', model: { name: 'juggernaut' }, seed: 3, steps: 30, cfg_scale: 6, scheduler: 'euler' }) },
    ]),
    'plain.webp': await pixels('webp', 16),
    'notes.txt': Buffer.from('not an image and not an image extension'),
    'bad/not-an-image.png': Buffer.from('hello'),
    'bad/truncated.png': studio.subarray(0, studio.length - 30),
    'bad/bomb.png': await compressionBomb(64 * 1024 * 1024),
    'bad/huge-text.png': await hugeTextChunk(LIMITS.maxTextChunkBytes + 10),
    'bad/flood.png': await pixelFlood(60_000, 60_000),
    'bad/garbled-pixels.png': await garbledPixels(),
  };
  for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(dir, name), bytes);
  return dir;
}

describe('importFolder', () => {
  it('imports every tool’s images, skips duplicates, and rejects hostile files with reasons', () =>
    withLibrary(async (library) => {
      const folder = await writeFixtureFolder();
      const progress: ImportProgress[] = [];
      const report = await importFolder(library, folder, { onProgress: (p) => progress.push(p), batchSize: 3 });
      expect(report.imported).toBe(7);
      expect(report.duplicates).toBe(1);
      expect(Object.fromEntries(report.rejected.map((r) => [r.file.split(path.sep).join('/'), r.reason]))).toEqual({
        'bad/not-an-image.png': 'NOT_AN_IMAGE',
        'bad/truncated.png': 'TRUNCATED',
        'bad/bomb.png': 'COMPRESSION_BOMB',
        'bad/huge-text.png': 'TEXT_TOO_LARGE',
        'bad/flood.png': 'PIXEL_FLOOD',
        'bad/garbled-pixels.png': 'UNDECODABLE',
      });
      expect(progress.at(-1)).toEqual({ total: 14, processed: 14, imported: 7, duplicates: 1, rejected: 6 });

      const found = async (text: string) => (await listImages(library.db, { filters: { text }, sort: 'relevance' })).items;
      expect((await found('fox'))[0]).toMatchObject({ source: 'studio', seed: 42, modelName: 'studio-shapes', sampler: 'euler-a' });
      expect((await found('castle'))[0]).toMatchObject({ source: 'a1111', modelName: 'dream', sampler: 'Euler a' });
      expect((await found('fete'))[0]).toMatchObject({ source: 'a1111', format: 'jpeg', negativePrompt: 'flou' });
      expect((await found('neon'))[0]).toMatchObject({ format: 'webp' });
      expect((await found('lighthouse'))[0]).toMatchObject({ source: 'comfyui', modelName: 'v1-5.safetensors', seed: 5 });
      expect((await found('gardener'))[0]).toMatchObject({ source: 'invokeai', modelName: 'juggernaut' });

      // Originals are byte-for-byte copies, named by content; thumbnails exist; the source folder is untouched.
      const fox = (await found('fox'))[0];
      const original = await readFile(library.resolve(fox?.filePath ?? ''));
      expect(contentHash(original)).toBe(fox?.contentHash);
      expect(original.equals(await readFile(path.join(folder, 'studio.png')))).toBe(true);
      await expect(readFile(library.resolve(fox?.thumbnailPath ?? ''))).resolves.toBeInstanceOf(Buffer);
      expect(await readdir(path.join(folder, 'bad'))).toHaveLength(6);

      const again = await importFolder(library, folder);
      expect(again).toMatchObject({ imported: 0, duplicates: 8 });
      expect(await countImages(library.db)).toBe(7);
    }));

  it('stops on abort, keeping what was imported', () =>
    withLibrary(async (library) => {
      const folder = await tempDir('studio-import-');
      for (let i = 0; i < 12; i++) await writeFile(path.join(folder, `${i}.png`), await pixels('png', 100 + i));
      const controller = new AbortController();
      const outcome = await importFolder(library, folder, {
        signal: controller.signal,
        concurrency: 1,
        onProgress: (p) => (p.imported >= 4 ? controller.abort() : undefined),
        batchSize: 2,
      }).catch((e: unknown) => e);
      expect(outcome).toBeInstanceOf(Error);
      const kept = await countImages(library.db);
      expect(kept).toBeGreaterThanOrEqual(4);
      expect(kept).toBeLessThan(12);
      expect((await importFolder(library, folder)).imported).toBe(12 - kept);
    }));
});

describe('addGeneratedImages', () => {
  it('stores the engine’s PNGs with their fields and finishes the job in the same transaction', () =>
    withLibrary(async (library) => {
      const job = await enqueueJob(library.db, { prompt: 'a blue bird' });
      await claimNextJob(library.db);
      const fields = { prompt: 'a blue bird', negativePrompt: '', modelName: 'studio-shapes', modelHash: '0123456789', sampler: 'euler-a', steps: 20, guidance: 7, seed: 1 };
      const pngs = [await studioPng({ prompt: 'a blue bird', negativePrompt: '', seed: 1 }), await studioPng({ prompt: 'a blue bird', negativePrompt: '', seed: 2 })];
      const ids = await addGeneratedImages(
        library,
        pngs.map((png, i) => ({ png, fields: { ...fields, seed: i + 1 } })),
        { jobId: job.id, now: 5 },
      );
      expect(ids).toHaveLength(2);
      expect(await getJob(library.db, job.id)).toMatchObject({ status: 'done', imageIds: ids });
      expect(await getImage(library.db, ids[1] ?? 0)).toMatchObject({ seed: 2, source: 'studio', createdAt: 5, width: 16 });
      expect((await listImages(library.db, { filters: { text: 'bird' }, sort: 'relevance' })).items).toHaveLength(2);
      // Storing the same bytes again is idempotent (a retried job after a crash).
      expect(await addGeneratedImages(library, [{ png: pngs[0] ?? Buffer.alloc(0), fields }])).toEqual([ids[0]]);
      await expect(addGeneratedImages(library, [{ png: await pixels('jpeg', 1), fields }])).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }));

  it('leaves nothing behind when the job cannot be completed', () =>
    withLibrary(async (library) => {
      const job = await enqueueJob(library.db, {});
      const png = await studioPng({ prompt: 'x', negativePrompt: '', seed: 1 });
      const fields = { prompt: 'x', negativePrompt: '', modelName: null, modelHash: null, sampler: null, steps: null, guidance: null, seed: 1 };
      await expect(addGeneratedImages(library, [{ png, fields }], { jobId: job.id })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await countImages(library.db)).toBe(0);
    }));
});
