/**
 * Start-up reconciliation: makes the folder and the database agree again after a crash, a power cut or a
 * user's hand in the folder. It never deletes a user's file:
 * - a temporary file (ours, never committed) is removed;
 * - an original without a row is imported in place, or moved to `set-aside/` when it cannot be read or is a
 *   second copy of an image already stored;
 * - a row whose original is gone is marked missing (and unmarked if the file comes back);
 * - a thumbnail without a row is removed (it is derived data), a missing one is rebuilt.
 * It walks the whole folder, so it runs only when a session ended uncleanly, or on request.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { ORIGINALS_DIR, SET_ASIDE_DIR, TEMP_SUFFIX, THUMBNAILS_DIR, moveWithoutClobbering, thumbnailPath, writeFileAtomic } from './files';
import type { Library } from './library';
import { RejectedFile } from './metadata/index';
import { imageRow, insertImageRows, readImageFile, storeFiles } from './store';
import { makeThumbnail } from './thumbnails';

export interface ReconcileReport {
  readonly temporaryFilesRemoved: number;
  readonly imported: number;
  /** Relative paths (inside the library) of the files moved to `set-aside/`, with why. */
  readonly setAside: readonly { readonly file: string; readonly reason: string }[];
  readonly markedMissing: number;
  readonly found: number;
  readonly thumbnailsRebuilt: number;
  readonly thumbnailsRemoved: number;
}

/** Relative paths (forward slashes) of the files under `dir`; temporary files are removed on the way. */
async function walk(library: Library, dir: string): Promise<{ files: Set<string>; temporaries: number }> {
  const files = new Set<string>();
  let temporaries = 0;
  const entries = await fs.readdir(path.join(library.dir, dir), { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    if (entry.name.endsWith(TEMP_SUFFIX)) {
      await fs.rm(full, { force: true });
      temporaries++;
      continue;
    }
    files.add(path.relative(library.dir, full).split(path.sep).join('/'));
  }
  return { files, temporaries };
}

export async function reconcileLibrary(library: Library, now = Date.now()): Promise<ReconcileReport> {
  const originals = await walk(library, ORIGINALS_DIR);
  const thumbnails = await walk(library, THUMBNAILS_DIR);

  const missing: number[] = [];
  const found: number[] = [];
  const rebuild: { id: number; file: string; thumbnail: string }[] = [];
  const rows = library.sqlite
    .prepare('SELECT id, file_path, thumbnail_path, missing_at FROM images')
    .iterate() as IterableIterator<{ id: number; file_path: string; thumbnail_path: string | null; missing_at: number | null }>;
  for (const row of rows) {
    const present = originals.files.delete(row.file_path);
    if (!present && row.missing_at === null) missing.push(row.id);
    if (present && row.missing_at !== null) found.push(row.id);
    if (row.thumbnail_path !== null && !thumbnails.files.delete(row.thumbnail_path) && present) {
      rebuild.push({ id: row.id, file: row.file_path, thumbnail: row.thumbnail_path });
    }
  }
  await library.db.transaction().execute(async (trx) => {
    // Ids travel as one JSON parameter: there may be more than SQLite allows bound variables.
    const inList = (ids: readonly number[]) => sql<boolean>`id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
    if (missing.length > 0) await trx.updateTable('images').set({ missing_at: now }).where(inList(missing)).execute();
    if (found.length > 0) await trx.updateTable('images').set({ missing_at: null }).where(inList(found)).execute();
  });

  let thumbnailsRebuilt = 0;
  for (const item of rebuild) {
    try {
      await writeFileAtomic(library.resolve(item.thumbnail), await makeThumbnail(library.resolve(item.file)));
      thumbnailsRebuilt++;
    } catch (error) {
      // An original that no longer decodes keeps its row (the user may still want it); it just has no thumbnail.
      if (!(error instanceof RejectedFile)) throw error;
    }
  }

  const setAside: { file: string; reason: string }[] = [];
  const sideline = async (relative: string, reason: string) => {
    const moved = await moveWithoutClobbering(library.resolve(relative), path.join(library.dir, SET_ASIDE_DIR));
    setAside.push({ file: path.relative(library.dir, moved).split(path.sep).join('/'), reason });
  };
  let imported = 0;
  for (const relative of [...originals.files].sort()) {
    try {
      const image = await readImageFile(library.resolve(relative));
      const row = imageRow(image.hash, image.meta, image.bytes.length, image.mtimeMs, now);
      const known = await library.db.selectFrom('images').select('file_path').where('content_hash', '=', image.hash).executeTakeFirst();
      if (known !== undefined) {
        await sideline(relative, `a copy of ${known.file_path}`);
        continue;
      }
      const thumbnail = await makeThumbnail(image.bytes);
      // A file under a name that is not its hash is stored again under the right name, then set aside.
      await storeFiles(library, image.bytes, row, thumbnail);
      thumbnails.files.delete(thumbnailPath(image.hash));
      await library.db.transaction().execute((trx) => insertImageRows(trx, [row]));
      imported++;
      if (row.file_path !== relative) await sideline(relative, `stored again as ${row.file_path}`);
    } catch (error) {
      if (!(error instanceof RejectedFile)) throw error;
      await sideline(relative, error.message);
    }
  }

  for (const orphan of thumbnails.files) await fs.rm(library.resolve(orphan), { force: true });

  return {
    temporaryFilesRemoved: originals.temporaries + thumbnails.temporaries,
    imported,
    setAside,
    markedMissing: missing.length,
    found: found.length,
    thumbnailsRebuilt,
    thumbnailsRemoved: thumbnails.files.size,
  };
}
