/**
 * A library: a folder holding the originals, the thumbnails and the database (layout in files.ts).
 *
 * Opening one leaves a session marker (`sessions/<pid>`) that closing removes. A marker whose process is gone
 * means that process died with the library open, so the next open runs `reconcileLibrary` to fix what a crash
 * left half-done — unless another live process has the library open, since its in-flight writes would look like
 * debris. Reconciliation is also a command (`studio library reconcile`).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type SQLite from 'better-sqlite3';
import { openDatabase, type LibraryDb } from './connection';
import { DATABASE_FILE, ORIGINALS_DIR, SESSIONS_DIR, THUMBNAILS_DIR, resolveInLibrary } from './files';
import { requeueInterruptedJobs } from './jobs';
import { reconcileLibrary, type ReconcileReport } from './reconcile';

export interface Library {
  readonly dir: string;
  readonly db: LibraryDb;
  /** The raw handle, for bulk loads and integrity checks. */
  readonly sqlite: SQLite.Database;
  /** Absolute path of a path stored in the database. */
  resolve(relative: string): string;
  close(): Promise<void>;
}

export interface OpenLibraryOptions {
  /** `auto` (default): reconcile after an unclean shutdown; `always` / `never` force the choice. */
  readonly reconcile?: 'auto' | 'always' | 'never';
}

export interface OpenedLibrary {
  readonly library: Library;
  /** Present when reconciliation ran. */
  readonly reconciled: ReconcileReport | null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

/** Removes markers of dead processes; says whether there were any, and whether another live process is in. */
async function sweepSessions(dir: string): Promise<{ unclean: boolean; othersLive: boolean }> {
  const sessions = path.join(dir, SESSIONS_DIR);
  await fs.mkdir(sessions, { recursive: true });
  let unclean = false;
  let othersLive = false;
  for (const name of await fs.readdir(sessions)) {
    const pid = Number(name);
    if (!Number.isSafeInteger(pid) || pid === process.pid) continue;
    if (isAlive(pid)) {
      othersLive = true;
    } else {
      unclean = true;
      await fs.rm(path.join(sessions, name), { force: true });
    }
  }
  return { unclean, othersLive };
}

export async function openLibrary(dir: string, options: OpenLibraryOptions = {}): Promise<OpenedLibrary> {
  const root = path.resolve(dir);
  await fs.mkdir(path.join(root, ORIGINALS_DIR), { recursive: true });
  await fs.mkdir(path.join(root, THUMBNAILS_DIR), { recursive: true });
  const { unclean, othersLive } = await sweepSessions(root);
  const opened = await openDatabase(path.join(root, DATABASE_FILE));
  const marker = path.join(root, SESSIONS_DIR, String(process.pid));
  await fs.writeFile(marker, '');

  const library: Library = {
    dir: root,
    db: opened.db,
    sqlite: opened.sqlite,
    resolve: (relative) => resolveInLibrary(root, relative),
    close: async () => {
      await opened.close();
      await fs.rm(marker, { force: true });
    },
  };

  const mode = options.reconcile ?? 'auto';
  const shouldReconcile = mode === 'always' || (mode === 'auto' && unclean && !othersLive);
  if (!shouldReconcile) return { library, reconciled: null };
  try {
    if (!othersLive) await requeueInterruptedJobs(library.db);
    return { library, reconciled: await reconcileLibrary(library) };
  } catch (error) {
    await library.close();
    throw error;
  }
}

export interface RebuildReport {
  /** Where the damaged database was moved (kept for forensics or a manual salvage). */
  readonly setAsideDatabase: string;
  readonly reconciled: ReconcileReport;
}

/**
 * The recovery path for a damaged database (`DB_CORRUPT`): the database files are moved aside, never deleted,
 * and a new database is built from the originals, whose embedded metadata restores the searchable fields.
 * Albums, tags, favourites and ratings lived only in the database and are not recovered.
 */
export async function rebuildLibrary(dir: string, now = Date.now()): Promise<RebuildReport> {
  const root = path.resolve(dir);
  const database = path.join(root, DATABASE_FILE);
  const setAsideDatabase = `${database}.damaged-${now}`;
  await fs.rename(database, setAsideDatabase);
  for (const suffix of ['-wal', '-shm']) {
    await fs.rename(`${database}${suffix}`, `${setAsideDatabase}${suffix}`).catch((error: unknown) => {
      if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
    });
  }
  const { library } = await openLibrary(root, { reconcile: 'never' });
  try {
    return { setAsideDatabase, reconciled: await reconcileLibrary(library, now) };
  } finally {
    await library.close();
  }
}
