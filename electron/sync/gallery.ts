/**
 * The platform's public gallery: pages (newest or most liked, keyset cursor), likes, and downloading an
 * original into the library through the library's own import path — so a downloaded image is checked,
 * thumbnailed and indexed like any imported file, with the generation metadata its file carries.
 * Runtime: main-side Node.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { importFolder, type Library } from '../../db/index';
import type { PlatformClient } from './client';
import { PlatformError } from './errors';
import { Download, GalleryPage, LikeState, type Generation } from './wire';

export interface GalleryQuery {
  readonly sort: 'newest' | 'most_liked';
  readonly limit: number;
  readonly cursor?: string;
  readonly companionId?: string;
  readonly model?: string;
}

export function listGallery(client: PlatformClient, query: GalleryQuery, signedIn: boolean): Promise<GalleryPage> {
  const params = new URLSearchParams({ sort: query.sort, limit: String(query.limit) });
  if (query.cursor !== undefined) params.set('cursor', query.cursor);
  if (query.companionId !== undefined) params.set('companionId', query.companionId);
  if (query.model !== undefined) params.set('model', query.model);
  return client.request({ method: 'GET', path: `/v1/gallery?${params.toString()}`, signed: signedIn, retryable: true }, GalleryPage);
}

export function setLike(client: PlatformClient, remoteImageId: string, liked: boolean): Promise<LikeState> {
  return client.request(
    { method: liked ? 'PUT' : 'DELETE', path: `/v1/images/${encodeURIComponent(remoteImageId)}/like`, signed: true, retryable: true },
    LikeState,
  );
}

const EXTENSIONS: Readonly<Record<string, string>> = { 'image/png': '.png', 'image/jpeg': '.jpg', 'image/webp': '.webp' };

/**
 * Downloads a published image's original into the library and returns its library id (the existing one when
 * the library already has these bytes). The file is streamed to a temporary folder of its own (the import
 * path never reads inside the library's folder), imported — copied into the library — and the folder removed.
 */
export async function downloadOriginal(client: PlatformClient, library: Library, remoteImageId: string, timeoutMs = 120_000): Promise<number> {
  const download = await client.request(
    { method: 'GET', path: `/v1/images/${encodeURIComponent(remoteImageId)}/original`, signed: true, retryable: true },
    Download,
  );
  const extension = EXTENSIONS[download.contentType];
  if (extension === undefined) throw new PlatformError('PROTOCOL', `The platform offered a ${download.contentType} file, which the library does not take.`);
  const folder = await fs.mkdtemp(path.join(tmpdir(), 'studio-download-'));
  try {
    const file = path.join(folder, `${remoteImageId.replace(/[^A-Za-z0-9_-]/g, '_')}${extension}`);
    let response: Response;
    try {
      response = await fetch(download.url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new PlatformError('PLATFORM_UNAVAILABLE', 'The original could not be downloaded.', { cause: error });
    }
    if (!response.ok || response.body === null) throw new PlatformError('PLATFORM_UNAVAILABLE', `The original could not be downloaded (${response.status}).`);
    const hash = createHash('sha256');
    let received = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), count, createWriteStream(file, { flags: 'wx' }));
    if (received !== download.size) throw new PlatformError('PROTOCOL', `The original has ${received} bytes; the platform said ${download.size}.`);
    const report = await importFolder(library, folder);
    const imported = report.imageIds[0];
    if (imported !== undefined) {
      await fillGeneration(library, imported, download.generation);
      return imported;
    }
    const rejected = report.rejected[0];
    if (rejected !== undefined) throw new PlatformError('INVALID_INPUT', `The library refused the original: ${rejected.message}`, { details: { reason: rejected.reason } });
    const known = await library.db.selectFrom('images').select('id').where('content_hash', '=', hash.digest('hex')).executeTakeFirst();
    if (known === undefined) throw new PlatformError('PROTOCOL', 'The original was neither imported nor found in the library.');
    return known.id;
  } finally {
    await fs.rm(folder, { recursive: true, force: true });
  }
}

/**
 * A file that carries no generation metadata of its own (stripped on the way, or written by a tool that keeps
 * none) gets the platform's record of how it was made, so the library can search it and reuse its settings.
 * Metadata read from the file is never overwritten.
 */
async function fillGeneration(library: Library, imageId: number, generation: Generation): Promise<void> {
  await library.db
    .updateTable('images')
    .set({
      prompt: generation.prompt,
      negative_prompt: generation.negativePrompt ?? '',
      model_name: generation.model,
      sampler: generation.sampler,
      steps: generation.steps,
      guidance: generation.cfgScale,
      seed: generation.seed,
    })
    .where('id', '=', imageId)
    .where('prompt', '=', '')
    .where('model_name', 'is', null)
    .execute();
}
