/**
 * Opening the library database: pragmas, refusal of a newer database, migrations, and detection of
 * corruption — which is reported with a recovery path and never answered by silently recreating the file.
 *
 * Durability: the connection runs in WAL with `synchronous=NORMAL`, which cannot corrupt the database on a crash
 * but may lose the last commits on a power cut. For images that is safe because every image file carries its own
 * metadata and start-up reconciliation re-imports a file whose row was lost. Jobs and outbox rows have no such
 * second copy (a lost queued job is lost work, a lost outbox transition can mean a second charge), so their
 * writes go through `durableTransaction`, which fsyncs the write-ahead log after the commit and before it returns:
 * what `synchronous=FULL` does at each commit (in WAL mode FULL is exactly "fsync the WAL when a transaction
 * commits"), but on libuv's pool instead of the main thread. A commit's fsync waits on the disk for a
 * millisecond on a quiet SSD and for tens on a busy or USB disk; under FULL the main process — the app's IPC,
 * the queue, the publisher — would stand still that long at every queue and outbox step. A power cut between the
 * commit and the fsync loses that commit, as it would have under FULL before the commit returned: the caller has
 * not acted on it yet.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type SqliteDatabase, type Transaction } from 'kysely';
import { LibraryError, isCorruptionError } from './errors';
import { MIGRATIONS } from './migrations/index';
import type { Database } from './schema';

export type LibraryDb = Kysely<Database>;
export type LibraryTrx = Transaction<Database>;

export interface OpenedDatabase {
  readonly db: LibraryDb;
  /** The raw handle, for the few places that need synchronous access (bulk loads, integrity checks). */
  readonly sqlite: SQLite.Database;
  close(): Promise<void>;
}

export function corruptDatabaseError(file: string, cause: unknown): LibraryError {
  return new LibraryError(
    'DB_CORRUPT',
    `The library database ${file} is damaged. Your image files are untouched. ` +
      'Run `studio library rebuild` to set the damaged database aside and rebuild it from the image files.',
    { file, reason: cause instanceof Error ? cause.message : String(cause) },
    { cause },
  );
}

/** Names of migrations this database has run that this app does not know: non-empty means it is newer. */
function unknownMigrations(sqlite: SQLite.Database): readonly string[] {
  const table = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'").get();
  if (table === undefined) return [];
  const rows = sqlite.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as { name: string }[];
  return rows.map((r) => r.name).filter((name) => !(name in MIGRATIONS));
}

function applyPragmas(sqlite: SQLite.Database): void {
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // Another process (the CLI while the app runs) may hold the write lock for a moment.
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('temp_store = MEMORY');
  sqlite.pragma('cache_size = -65536');
}

/** Statements kept per connection: enough for every query shape the app runs, bounded for ad-hoc ones. */
const KEPT_STATEMENTS = 256;

/**
 * The connection as Kysely sees it, with its prepared statements kept (least recently used dropped first).
 * Kysely prepares every query it runs, and preparing costs as much as running a short query: the outbox's
 * steps and the gallery's pages run the same few shapes over and over. Kysely runs one query at a time on its
 * connection, so a kept statement is never in use twice at once.
 */
function keepingStatements(sqlite: SQLite.Database): SqliteDatabase {
  const kept = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(source) {
      let statement = kept.get(source);
      if (statement === undefined) {
        statement = sqlite.prepare(source);
        if (kept.size >= KEPT_STATEMENTS) kept.delete(kept.keys().next().value ?? '');
      } else {
        kept.delete(source);
      }
      kept.set(source, statement);
      return statement;
    },
  };
}

/**
 * Opens (creating if needed) the database at `file` and brings it to the latest schema.
 * Throws `DB_TOO_NEW`, `DB_CORRUPT` or `DB_MIGRATION_FAILED` as a `LibraryError`.
 */
export async function openDatabase(file: string): Promise<OpenedDatabase> {
  let sqlite: SQLite.Database;
  try {
    sqlite = new SQLite(file);
  } catch (error) {
    throw new LibraryError('IO_ERROR', `Cannot open the library database ${file}.`, { file }, { cause: error });
  }
  try {
    applyPragmas(sqlite);
    const newer = unknownMigrations(sqlite);
    if (newer.length > 0) {
      throw new LibraryError(
        'DB_TOO_NEW',
        `The library database ${file} was written by a newer version of Studio. Update Studio to open it; ` +
          'this version will not change it.',
        { file, unknownMigrations: newer },
      );
    }
  } catch (error) {
    sqlite.close();
    if (error instanceof LibraryError) throw error;
    if (isCorruptionError(error)) throw corruptDatabaseError(file, error);
    throw error;
  }

  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: keepingStatements(sqlite) }) });
  const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) } });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined) {
    await db.destroy();
    if (isCorruptionError(error)) throw corruptDatabaseError(file, error);
    throw new LibraryError(
      'DB_MIGRATION_FAILED',
      `The library database ${file} could not be brought up to date; it was left as it was.`,
      { file },
      { cause: error },
    );
  }
  // Keeps the planner's statistics fresh (SQLite's advice for long-lived connections): without them it can pick
  // a sort index over a selective filter index at a million rows. Bounded, so it stays cheap on big databases.
  sqlite.pragma('optimize = 0x10002');
  if (!sqlite.memory) databaseFiles.set(db, path.resolve(file));
  return { db, sqlite, close: () => db.destroy() };
}

/**
 * Runs `fn` in one transaction, or inside the caller's when `db` already is one.
 * Repositories take `db` or `trx` first; this keeps multi-step writes atomic either way.
 */
export function inTransaction<T>(db: LibraryDb, fn: (trx: LibraryTrx) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as LibraryTrx);
  return db.transaction().execute(fn);
}

/**
 * A transaction whose commit is on disk before it returns: its write-ahead log is fsynced after the commit (see
 * the module comment). Inside an existing transaction it joins it: the outer commit decides, and the caller chose it.
 */
export async function durableTransaction<T>(db: LibraryDb, fn: (trx: LibraryTrx) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as LibraryTrx);
  const result = await db.transaction().execute(fn);
  const file = databaseFiles.get(db);
  if (file !== undefined) await syncWriteAheadLog(file);
  return result;
}

/** Each open library database's file, for `durableTransaction`. */
const databaseFiles = new WeakMap<LibraryDb, string>();

/**
 * fsyncs the write-ahead log of the database `file` (which exists while a connection has the database open in WAL
 * mode). Opened for writing because Windows flushes only a file open for writing.
 */
export async function syncWriteAheadLog(file: string): Promise<void> {
  const wal = `${file}-wal`;
  try {
    const handle = await open(wal, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new LibraryError('IO_ERROR', `Cannot make the library's last change durable (${wal}).`, { file: wal }, { cause: error });
  }
}

/** `PRAGMA integrity_check`: the list of problems, empty when the database is sound. */
export function integrityProblems(sqlite: SQLite.Database): readonly string[] {
  const rows = sqlite.pragma('integrity_check') as { integrity_check: string }[];
  return rows.map((r) => r.integrity_check).filter((line) => line !== 'ok');
}
