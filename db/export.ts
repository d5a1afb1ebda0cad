/**
 * Exporting an album or a selection to a folder or a zip. Originals are copied byte for byte, so every tool's
 * metadata stays intact. Names keep the order (album order, or oldest first): `00001-<id>.png`.
 * The zip is stored, not deflated — PNG, JPEG and WebP are compressed already — and written to a temporary
 * name that is renamed only once complete. Progress is in bytes of the originals: what a long export spends its
 * time on.
 */
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import yazl from 'yazl';
import { listAlbumImages } from './albums';
import { LibraryError } from './errors';
import { TEMP_SUFFIX, copyFileAtomic, exists } from './files';
import { selectionCondition, toImage, type Image, type ImageSelection } from './images';
import type { Library } from './library';

export type ExportSource = { readonly albumId: number } | ImageSelection;
export type ExportTarget = { readonly folder: string } | { readonly zip: string };

export interface ExportProgress {
  /** Bytes of the originals copied so far, of all of them. */
  readonly done: number;
  readonly total: number;
}

export interface ExportOptions {
  /** Called as the copy goes, at most about every 64 KiB written to a zip and after each file to a folder. */
  readonly onProgress?: (progress: ExportProgress) => void;
}

export interface ExportReport {
  readonly exported: number;
  /** Images whose original is missing from the library (marked missing, or gone from its folder); left out. */
  readonly missing: readonly number[];
}

async function imagesOf(library: Library, source: ExportSource): Promise<Image[]> {
  if ('albumId' in source) {
    const images: Image[] = [];
    let cursor: string | undefined;
    do {
      const page = await listAlbumImages(library.db, source.albumId, { limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
      images.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return images;
  }
  const where = await selectionCondition(library.db, source);
  const rows = await library.db
    .selectFrom('images')
    .selectAll()
    .where(where)
    .orderBy(sql`images.created_at`)
    .orderBy('images.id')
    .execute();
  return rows.map(toImage);
}

function exportName(index: number, image: Image): string {
  return `${String(index + 1).padStart(5, '0')}-${image.id}${path.extname(image.filePath)}`;
}

export async function exportImages(library: Library, source: ExportSource, target: ExportTarget, options: ExportOptions = {}): Promise<ExportReport> {
  const images = await imagesOf(library, source);
  // Missing: marked so, or gone from the folder since the last reconciliation (left out and reported, not an error
  // halfway through).
  const present: Image[] = [];
  const missing: number[] = [];
  for (const image of images) {
    if (image.missingAt === null && (await exists(library.resolve(image.filePath)))) present.push(image);
    else missing.push(image.id);
  }
  const total = present.reduce((sum, image) => sum + image.fileSize, 0);
  options.onProgress?.({ done: 0, total });

  if ('folder' in target) {
    await fs.mkdir(target.folder, { recursive: true });
    // Every name checked before the first copy: an export that cannot finish leaves nothing half-done.
    const destinations = present.map((image, index) => path.join(target.folder, exportName(index, image)));
    for (const destination of destinations) {
      if (await exists(destination)) {
        throw new LibraryError('CONFLICT', `${destination} already exists; export into an empty folder.`, { file: destination });
      }
    }
    let done = 0;
    for (const [index, image] of present.entries()) {
      await copyFileAtomic(library.resolve(image.filePath), destinations[index] ?? '', false);
      done += image.fileSize;
      options.onProgress?.({ done, total });
    }
    return { exported: present.length, missing };
  }

  if (await exists(target.zip)) throw new LibraryError('CONFLICT', `${target.zip} already exists.`, { file: target.zip });
  const temp = `${target.zip}${TEMP_SUFFIX}`;
  const zip = new yazl.ZipFile();
  for (const [index, image] of present.entries()) {
    zip.addFile(library.resolve(image.filePath), exportName(index, image), { compress: false, mtime: new Date(image.createdAt) });
  }
  zip.end();
  // The zip's bytes are the originals' plus small headers: counted as they are written, capped at the total.
  let written = 0;
  zip.outputStream.on('data', (chunk: Buffer) => {
    written += chunk.length;
    options.onProgress?.({ done: Math.min(written, total), total });
  });
  try {
    await pipeline(zip.outputStream, createWriteStream(temp));
    const handle = await fs.open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target.zip);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  options.onProgress?.({ done: total, total });
  return { exported: present.length, missing };
}
