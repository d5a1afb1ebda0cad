import { describe, expect, it } from 'vitest';
import { bufferSource, LIMITS, readImageMetadata, RejectedFile, type RejectionReason } from '../../../../db/metadata/index';
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
} from '../../../fixtures/library/images';

const read = (bytes: Buffer) => readImageMetadata(bufferSource(bytes));

async function rejection(bytes: Buffer): Promise<RejectionReason> {
  const error = await read(bytes).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RejectedFile);
  return (error as RejectedFile).reason;
}

const fields = { prompt: 'a red fox in the snow', negativePrompt: 'blurry', seed: 42 };

describe('readImageMetadata: containers', () => {
  it('reads the studio PNG from our chunk first', async () => {
    const meta = await read(await studioPng(fields, 24, 16));
    expect(meta).toMatchObject({ format: 'png', width: 24, height: 16, source: 'studio' });
    expect(meta.fields).toEqual({
      prompt: 'a red fox in the snow',
      negativePrompt: 'blurry',
      modelName: 'studio-shapes',
      modelHash: '0123456789',
      sampler: 'euler-a',
      steps: 20,
      guidance: 7,
      seed: 42,
    });
  });

  it('falls back to the A1111 chunk when ours is not valid', async () => {
    const png = await pngWithText(5, [
      { type: 'tEXt', keyword: 'parameters', text: a1111Parameters(fields) },
      { type: 'iTXt', keyword: 'studio', text: '{"format":"studio/9"' },
    ]);
    const meta = await read(png);
    expect(meta.source).toBe('a1111');
    expect(meta.fields).toMatchObject({ prompt: fields.prompt, sampler: 'Euler a', guidance: 7, seed: 42, modelHash: '0123456789' });
  });

  it('reads zTXt and compressed iTXt', async () => {
    const text = a1111Parameters({ ...fields, prompt: 'une fête élégante' });
    const z = await read(await pngWithText(6, [{ type: 'zTXt', keyword: 'parameters', text: a1111Parameters(fields) }]));
    expect(z.fields.prompt).toBe(fields.prompt);
    const i = await read(await pngWithText(7, [{ type: 'iTXt', keyword: 'parameters', text, compressed: true }]));
    expect(i.fields.prompt).toBe('une fête élégante');
  });

  it('reads A1111 parameters from JPEG EXIF UserComment in either byte order', async () => {
    for (const order of ['II', 'MM'] as const) {
      const meta = await read(await jpegWithUserComment(8, a1111Parameters(fields), order));
      expect(meta).toMatchObject({ format: 'jpeg', width: 16, height: 16, source: 'a1111' });
      expect(meta.fields.negativePrompt).toBe('blurry');
    }
  });

  it('reads A1111 parameters from a WebP EXIF chunk', async () => {
    const meta = await read(await webpWithUserComment(9, a1111Parameters(fields), 20, 12));
    expect(meta).toMatchObject({ format: 'webp', width: 20, height: 12, source: 'a1111' });
    expect(meta.fields.seed).toBe(42);
  });

  it('reads plain images with no metadata', async () => {
    for (const format of ['png', 'jpeg', 'webp'] as const) {
      const meta = await read(await pixels(format, 10, 30, 20));
      expect(meta).toMatchObject({ format, width: 30, height: 20, source: 'unknown' });
      expect(meta.fields.prompt).toBe('');
    }
  });
});

describe('readImageMetadata: hostile files', () => {
  it('rejects what is not an image', async () => {
    expect(await rejection(Buffer.from('hello, I am a text file'))).toBe('NOT_AN_IMAGE');
  });

  it('rejects truncated files', async () => {
    const png = await studioPng(fields);
    expect(await rejection(png.subarray(0, png.length - 20))).toBe('TRUNCATED');
    const jpeg = await jpegWithUserComment(3, 'x');
    expect(await rejection(jpeg.subarray(0, 40))).toBe('TRUNCATED');
    const webp = await pixels('webp', 3);
    expect(await rejection(webp.subarray(0, webp.length - 10))).toBe('TRUNCATED');
  });

  it('rejects a text chunk over the limit without parsing it', async () => {
    expect(await rejection(await hugeTextChunk(LIMITS.maxTextChunkBytes + 1))).toBe('TEXT_TOO_LARGE');
  });

  it('rejects a compression bomb without inflating it past the cap', async () => {
    const bomb = await compressionBomb(100 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const before = process.memoryUsage().rss;
    expect(await rejection(bomb)).toBe('COMPRESSION_BOMB');
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
  });

  it('rejects a pixel flood from the header alone', async () => {
    expect(await rejection(await pixelFlood(100_000, 100_000))).toBe('PIXEL_FLOOD');
    expect(await rejection(await pixelFlood(0, 16))).toBe('MALFORMED');
  });

  it('survives random corruption: every outcome is metadata or a rejection', async () => {
    const png = await studioPng(fields);
    let state = 12345;
    const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 300; round++) {
      const copy = Buffer.from(png);
      for (let k = 0; k < 4; k++) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
      await read(copy).catch((error: unknown) => expect(error).toBeInstanceOf(RejectedFile));
    }
  });
});
