/**
 * Putting images into the library: the file first (temporary name, fsync, rename), then the row in a
 * transaction (CONVENTIONS.md › Data, 12). A crash in between leaves a file without a row, which reconciliation
 * imports; it never leaves a row without its file.
 */
import { promises as fs } from 'node:fs';
import type { LibraryDb } from './connection';
import { LibraryError } from './errors';
import { contentHash, exists, originalPath, thumbnailPath, writeFileAtomic } from './files';
import { completeJob } from './jobs';
import type { Library } from './library';
import { bufferSource, LIMITS, readImageMetadata, RejectedFile, type GenerationFields, type ImageMetadata } from './metadata/index';
import type { NewImageRow } from './schema';
import { makeThumbnail } from './thumbnails';

/** Metadata text kept in the row: the chunk the fields came from, when it is small enough to be worth it. */
const MAX_KEPT_METADATA = 64 * 1024;
const KEPT_KEYS = ['studio', 'parameters', 'UserComment', 'invokeai_metadata', 'prompt'];

function keptMetadata(texts: ReadonlyMap<string, string>): string | null {
  for (const key of KEPT_KEYS) {
    const text = texts.get(key);
    if (text !== undefined && text.length <= MAX_KEPT_METADATA) return JSON.stringify({ [key]: text });
  }
  return null;
}

export function imageRow(
  hash: string,
  meta: ImageMetadata,
  fileSize: number,
  createdAt: number,
  now: number,
  overrides: Readonly<{ fields?: GenerationFields; companionId?: string | null }> = {},
): NewImageRow {
  const fields = overrides.fields ?? meta.fields;
  return {
    content_hash: hash,
    file_path: originalPath(hash, meta.format),
    thumbnail_path: thumbnailPath(hash),
    format: meta.format,
    file_size: fileSize,
    prompt: fields.prompt,
    negative_prompt: fields.negativePrompt,
    model_name: fields.modelName,
    model_hash: fields.modelHash,
    sampler: fields.sampler,
    steps: fields.steps,
    guidance: fields.guidance,
    seed: fields.seed,
    width: meta.width,
    height: meta.height,
    created_at: createdAt,
    imported_at: now,
    source: overrides.fields === undefined ? meta.source : 'studio',
    metadata_json: keptMetadata(meta.texts),
    companion_id: overrides.companionId ?? null,
    deleted_at: null,
    missing_at: null,
  };
}

/** Writes the original (unless that exact content is already stored) and its thumbnail. */
export async function storeFiles(library: Library, bytes: Buffer, row: NewImageRow, thumbnail: Buffer): Promise<void> {
  const original = library.resolve(row.file_path);
  if (!(await exists(original))) await writeFileAtomic(original, bytes);
  await writeFileAtomic(library.resolve(thumbnailPath(row.content_hash)), thumbnail);
}

/**
 * Inserts rows whose files are in place; returns the id for each row, in order. A row whose content is already
 * in the library (another process got there first) resolves to the existing image.
 */
export async function insertImageRows(db: LibraryDb, rows: readonly NewImageRow[]): Promise<number[]> {
  if (rows.length === 0) return [];
  await db.insertInto('images').values([...rows]).onConflict((oc) => oc.column('content_hash').doNothing()).execute();
  const found = await db.selectFrom('images').select(['id', 'content_hash']).where('content_hash', 'in', rows.map((r) => r.content_hash)).execute();
  const byHash = new Map(found.map((r) => [r.content_hash, r.id]));
  return rows.map((r) => {
    const id = byHash.get(r.content_hash);
    if (id === undefined) throw new LibraryError('CONFLICT', `Image ${r.content_hash} vanished while being stored.`);
    return id;
  });
}

/** A PNG the engine produced, with the fields of the request that made it. */
export interface GeneratedImage {
  readonly png: Uint8Array;
  readonly fields: GenerationFields;
  readonly createdAt?: number;
  readonly companionId?: string | null;
}

/**
 * Stores images the studio generated: files (atomic, durable), then one transaction with every row, their
 * search rows (by trigger) and, when `jobId` is given, the job marked done — so a crash leaves either the
 * finished images or a job to re-run. Storing the same bytes twice returns the existing image.
 */
export async function addGeneratedImages(
  library: Library,
  images: readonly GeneratedImage[],
  options: Readonly<{ jobId?: number; now?: number }> = {},
): Promise<readonly number[]> {
  const now = options.now ?? Date.now();
  const rows: NewImageRow[] = [];
  for (const image of images) {
    const bytes = Buffer.from(image.png.buffer, image.png.byteOffset, image.png.byteLength);
    let meta: ImageMetadata;
    let thumbnail: Buffer;
    try {
      meta = await readImageMetadata(bufferSource(bytes));
      if (meta.format !== 'png') throw new RejectedFile('NOT_AN_IMAGE', 'A generated image must be a PNG.');
      thumbnail = await makeThumbnail(bytes);
    } catch (error) {
      if (error instanceof RejectedFile) throw new LibraryError('INVALID_INPUT', error.message, { reason: error.reason });
      throw error;
    }
    const row = imageRow(contentHash(bytes), meta, bytes.length, image.createdAt ?? now, now, {
      fields: image.fields,
      companionId: image.companionId ?? null,
    });
    await storeFiles(library, bytes, row, thumbnail);
    rows.push(row);
  }
  return library.db.transaction().execute(async (trx) => {
    const ids = await insertImageRows(trx, rows);
    if (options.jobId !== undefined) await completeJob(trx, options.jobId, ids, now);
    return ids;
  });
}

export interface ImageFile {
  readonly bytes: Buffer;
  readonly hash: string;
  readonly meta: ImageMetadata;
  readonly mtimeMs: number;
}

/**
 * Reads, checks and hashes one file for import; rejects it (`RejectedFile`) before anything is written. The size
 * is checked before the file is read, and the metadata readers bound everything they parse.
 */
export async function readImageFile(file: string): Promise<ImageFile> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (error) {
    throw new RejectedFile('UNREADABLE', `The file cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (stat.size > LIMITS.maxFileBytes) {
    throw new RejectedFile('FILE_TOO_LARGE', `The file is ${stat.size} bytes, over the ${LIMITS.maxFileBytes} byte limit.`);
  }
  const bytes = await fs.readFile(file);
  const meta = await readImageMetadata(bufferSource(bytes));
  return { bytes, hash: contentHash(bytes), meta, mtimeMs: Math.trunc(stat.mtimeMs) };
}
