/**
 * Emptying the trash: the one place where the library deletes a user's files, and only on the user's explicit
 * request, only for images already in the trash.
 *
 * Per batch, inside one transaction: the batch's files are removed (original, then thumbnail), then its rows.
 * A crash between the two leaves rows whose files are gone: still in the trash, marked missing by the next
 * reconciliation, and deleted by the next emptying. The other order would leave files without rows, which
 * reconciliation imports again: a deleted image would come back.
 *
 * Images with publishing history stay: their outbox rows are the record of what was paid for and published
 * (the foreign key keeps them), and the platform keeps its copy whatever happens here.
 */
import { promises as fs } from 'node:fs';
import { sql, type Expression, type SqlBool } from 'kysely';
import { inTransaction } from './connection';
import { LibraryError } from './errors';
import { selectionCondition, type ImageSelection } from './images';
import type { Library } from './library';

export interface EmptiedTrash {
  /** Images deleted for good, files and rows. */
  readonly deleted: number;
  /** Trashed images kept because they have publishing history. */
  readonly kept: number;
}

/** Images deleted per transaction: each holds the database while its files are removed. */
const BATCH = 500;

/**
 * Deletes trashed images for good: all of the trash, or the trashed images of `selection`. Images outside the
 * trash are never touched, whatever the selection says.
 */
export async function emptyTrash(library: Library, selection?: ImageSelection): Promise<EmptiedTrash> {
  const db = library.db;
  const terms: Expression<SqlBool>[] = [sql<SqlBool>`images.deleted_at IS NOT NULL`];
  if (selection !== undefined) {
    terms.push(await selectionCondition(db, 'filters' in selection ? { filters: { ...selection.filters, trashed: true } } : selection));
  }
  const published = sql<SqlBool>`EXISTS (SELECT 1 FROM outbox WHERE outbox.image_id = images.id)`;
  let deleted = 0;
  let lastId = 0;
  for (;;) {
    const done = await inTransaction(db, async (trx) => {
      const rows = await trx
        .selectFrom('images')
        .select(['id', 'file_path', 'thumbnail_path'])
        .where((eb) => eb.and([...terms, sql<SqlBool>`NOT ${published}`]))
        .where('id', '>', lastId)
        .orderBy('id')
        .limit(BATCH)
        .execute();
      for (const row of rows) {
        await removeFile(library.resolve(row.file_path));
        if (row.thumbnail_path !== null) await removeFile(library.resolve(row.thumbnail_path));
      }
      if (rows.length > 0) {
        await trx
          .deleteFrom('images')
          .where('id', 'in', rows.map((r) => r.id))
          .execute();
      }
      return rows;
    });
    deleted += done.length;
    const last = done.at(-1);
    if (last === undefined || done.length < BATCH) break;
    lastId = last.id;
  }
  const { kept } = await db
    .selectFrom('images')
    .select((eb) => eb.fn.countAll<number>().as('kept'))
    .where((eb) => eb.and([...terms, published]))
    .executeTakeFirstOrThrow();
  return { deleted, kept };
}

/** Removes a file; one already gone is fine (the row was marked missing, or a crash removed it first). */
async function removeFile(file: string): Promise<void> {
  try {
    await fs.rm(file, { force: true });
  } catch (error) {
    // The batch's rows stay (its transaction rolls back), in the trash, for a later try.
    throw new LibraryError('IO_ERROR', `Cannot delete ${file}; it stays in the trash.`, { file }, { cause: error });
  }
}
