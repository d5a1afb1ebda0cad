/**
 * The library folder on disk and the one way files are written into it.
 *
 * ```
 * <library>/library.sqlite          the database (+ -wal, -shm)
 * <library>/originals/ab/<hash>.png  the images, named by the SHA-256 of their bytes
 * <library>/thumbnails/ab/<hash>.webp
 * <library>/set-aside/              files found in originals/ that could not be read (never deleted)
 * <library>/sessions/<pid>          one marker per process that has the library open
 * ```
 * Content-addressed names make a file's row findable from the file alone, which is what reconciliation needs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { ImageFormat } from './schema';

export const DATABASE_FILE = 'library.sqlite';
export const ORIGINALS_DIR = 'originals';
export const THUMBNAILS_DIR = 'thumbnails';
export const SET_ASIDE_DIR = 'set-aside';
export const SESSIONS_DIR = 'sessions';
/** Temporary files carry this suffix; only reconciliation removes them, and only inside the library. */
export const TEMP_SUFFIX = '.studio-tmp';

const EXTENSIONS: Readonly<Record<ImageFormat, string>> = { png: 'png', jpeg: 'jpg', webp: 'webp' };

export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Relative path (forward slashes, as stored in the database) of an original. */
export function originalPath(hash: string, format: ImageFormat): string {
  return `${ORIGINALS_DIR}/${hash.slice(0, 2)}/${hash}.${EXTENSIONS[format]}`;
}

export function thumbnailPath(hash: string): string {
  return `${THUMBNAILS_DIR}/${hash.slice(0, 2)}/${hash}.webp`;
}

/** Absolute path of a stored relative path. */
export function resolveInLibrary(libraryDir: string, relative: string): string {
  return path.join(libraryDir, ...relative.split('/'));
}

async function fsyncDirectory(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; there a rename is made durable by the file system itself.
  if (process.platform === 'win32') return;
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `data` to `target` so that the target is either absent or complete: temporary name in the same folder
 * (created with the final permissions, `mode`), fsync, rename, and an fsync of the folder to make the rename
 * durable. A file readable by its owner only gets a folder to match when the folder is new. (Bulk imports write
 * through `DurableWriter`, which follows the same steps on threads of its own and syncs each folder once per batch.)
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array, options: { readonly mode?: number } = {}): Promise<void> {
  const { mode = 0o666 } = options;
  const dir = path.dirname(target);
  await fs.mkdir(dir, { recursive: true, mode: (mode & 0o077) === 0 ? 0o700 : 0o777 });
  const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  const handle = await fs.open(temp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  await fsyncDirectory(dir);
}

/** Copies `source` to `target` the same way `writeFileAtomic` writes: temporary name, fsync, rename. */
export async function copyFileAtomic(source: string, target: string, syncDirectory = true): Promise<void> {
  const dir = path.dirname(target);
  await fs.mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  try {
    await fs.copyFile(source, temp, fsConstants.COPYFILE_EXCL);
    const handle = await fs.open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  await fs.rename(temp, target);
  if (syncDirectory) await fsyncDirectory(dir);
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

/** Moves a file to `dir` under its own name, adding a counter rather than replacing anything already there. */
export async function moveWithoutClobbering(file: string, dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const { name, ext } = path.parse(file);
  for (let n = 0; ; n++) {
    const target = path.join(dir, n === 0 ? `${name}${ext}` : `${name} (${n})${ext}`);
    if (await exists(target)) continue;
    await fs.rename(file, target);
    return target;
  }
}
