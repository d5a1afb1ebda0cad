/**
 * Images: the gallery's queries (filters, sorts, keyset pages, counts) and the curating edits, each of which
 * takes a selection of any size and runs as one statement in one transaction.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import { inTransaction, type LibraryDb } from './connection';
import { LibraryError } from './errors';
import {
  decodeCursor,
  encodeCursor,
  parseImageFilters,
  parseImageQuery,
  type ImageFilters,
  type ImageQuery,
  type ImageSort,
} from './query';
import type { ImageFormat, ImageRow, ImageSource, ImageSyncState } from './schema';
import { toFtsQuery } from './search';

export interface Image {
  readonly id: number;
  readonly contentHash: string;
  /** Relative to the library folder. */
  readonly filePath: string;
  readonly thumbnailPath: string | null;
  readonly format: ImageFormat;
  readonly fileSize: number;
  readonly prompt: string;
  readonly negativePrompt: string;
  readonly modelName: string | null;
  readonly modelHash: string | null;
  readonly sampler: string | null;
  readonly steps: number | null;
  readonly guidance: number | null;
  readonly seed: number | null;
  readonly width: number;
  readonly height: number;
  readonly createdAt: number;
  readonly importedAt: number;
  readonly source: ImageSource;
  readonly favourite: boolean;
  readonly rating: number;
  readonly companionId: string | null;
  readonly syncState: ImageSyncState;
  readonly remoteId: string | null;
  readonly likes: number;
  readonly tokensSpent: number;
  readonly deletedAt: number | null;
  readonly missingAt: number | null;
}

export interface ImagePage {
  readonly items: readonly Image[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/** Which images a bulk edit applies to: explicit ids (a selection) or everything matching filters. */
export type ImageSelection = { readonly ids: readonly number[] } | { readonly filters: ImageFilters };

export function toImage(row: ImageRow): Image {
  return {
    id: row.id,
    contentHash: row.content_hash,
    filePath: row.file_path,
    thumbnailPath: row.thumbnail_path,
    format: row.format,
    fileSize: row.file_size,
    prompt: row.prompt,
    negativePrompt: row.negative_prompt,
    modelName: row.model_name,
    modelHash: row.model_hash,
    sampler: row.sampler,
    steps: row.steps,
    guidance: row.guidance,
    seed: row.seed,
    width: row.width,
    height: row.height,
    createdAt: row.created_at,
    importedAt: row.imported_at,
    source: row.source,
    favourite: row.favourite === 1,
    rating: row.rating,
    companionId: row.companion_id,
    syncState: row.sync_state,
    remoteId: row.remote_id,
    likes: row.likes,
    tokensSpent: row.tokens_spent,
    deletedAt: row.deleted_at,
    missingAt: row.missing_at,
  };
}

const cond = sql<SqlBool>;
/**
 * Relevance ranks the most recent matches only (by insertion order). bm25 must score every match before it can
 * return the best 100, which for a word in half the library is hundreds of thousands of rows and seconds; the
 * newest 2,000 matches are found by reading the index backwards and scored in milliseconds. For a query with
 * fewer matches than that the ranking is exact; for a very common word, "best of the recent" is also what a
 * gallery wants.
 */
const RELEVANCE_WINDOW = 2000;
/** A search that cannot match: the input held no words. */
const NOTHING = cond`0`;
const MAX_SMART_ALBUM_DEPTH = 4;

/**
 * The WHERE terms for `filters`, all on the `images` table. Constant terms are written as literals (not bound
 * parameters) because SQLite only uses a partial index when the query states its condition literally.
 */
async function conditionsFor(db: LibraryDb, filters: ImageFilters, withText: boolean, depth = 0): Promise<Expression<SqlBool>[]> {
  const terms: Expression<SqlBool>[] = [];
  terms.push(filters.trashed === true ? cond`images.deleted_at IS NOT NULL` : cond`images.deleted_at IS NULL`);
  if (withText && filters.text !== undefined) {
    const fts = toFtsQuery(filters.text);
    terms.push(fts === undefined ? NOTHING : cond`images.id IN (SELECT rowid FROM images_fts WHERE images_fts MATCH ${fts})`);
  }
  if (filters.since !== undefined) terms.push(cond`images.created_at >= ${filters.since}`);
  if (filters.until !== undefined) terms.push(cond`images.created_at <= ${filters.until}`);
  if (filters.models !== undefined) {
    terms.push(filters.models.length === 0 ? NOTHING : cond`images.model_name IN (${sql.join(filters.models)})`);
  }
  if (filters.samplers !== undefined) {
    terms.push(filters.samplers.length === 0 ? NOTHING : cond`images.sampler IN (${sql.join(filters.samplers)})`);
  }
  if (filters.width !== undefined) terms.push(cond`images.width = ${filters.width}`);
  if (filters.height !== undefined) terms.push(cond`images.height = ${filters.height}`);
  if (filters.aspect === 'square') terms.push(cond`images.width = images.height`);
  if (filters.aspect === 'portrait') terms.push(cond`images.width < images.height`);
  if (filters.aspect === 'landscape') terms.push(cond`images.width > images.height`);
  if (filters.favourite === true) terms.push(cond`images.favourite = 1`);
  if (filters.favourite === false) terms.push(cond`images.favourite = 0`);
  if (filters.minRating !== undefined) terms.push(cond`images.rating >= ${filters.minRating}`);
  if (filters.companionId !== undefined) {
    terms.push(cond`images.companion_id IS NOT NULL AND images.companion_id = ${filters.companionId}`);
  }
  if (filters.published === true) terms.push(cond`images.sync_state = 'published'`);
  if (filters.published === false) terms.push(cond`images.sync_state <> 'published'`);
  if (filters.tag !== undefined) {
    terms.push(
      cond`images.id IN (SELECT it.image_id FROM image_tags it JOIN tags t ON t.id = it.tag_id WHERE t.name = ${filters.tag})`,
    );
  }
  if (filters.albumId !== undefined) {
    const album = await db.selectFrom('albums').select(['id', 'smart_query']).where('id', '=', filters.albumId).executeTakeFirst();
    if (album === undefined) throw new LibraryError('NOT_FOUND', `There is no album ${filters.albumId}.`, { albumId: filters.albumId });
    if (album.smart_query === null) {
      terms.push(cond`images.id IN (SELECT image_id FROM album_images WHERE album_id = ${album.id})`);
    } else {
      if (depth >= MAX_SMART_ALBUM_DEPTH) {
        throw new LibraryError('INVALID_INPUT', 'Smart albums refer to each other too deeply.', { albumId: album.id });
      }
      const saved = parseImageFilters(JSON.parse(album.smart_query));
      terms.push(...(await conditionsFor(db, saved, true, depth + 1)));
    }
  }
  return terms;
}

interface SortSpec {
  readonly column: 'created_at' | 'likes' | 'tokens_spent' | 'rating';
  readonly descending: boolean;
}

const SORTS: Readonly<Record<Exclude<ImageSort, 'relevance'>, SortSpec>> = {
  newest: { column: 'created_at', descending: true },
  oldest: { column: 'created_at', descending: false },
  most_liked: { column: 'likes', descending: true },
  most_tokens: { column: 'tokens_spent', descending: true },
  rating: { column: 'rating', descending: true },
};

/** One page of images matching the query, in the query's order. */
export async function listImages(db: LibraryDb, query: ImageQuery): Promise<ImagePage> {
  const { filters, sort, limit, cursor } = parseImageQuery(query);
  const after = cursor === undefined ? undefined : decodeCursor(cursor);

  if (sort === 'relevance') {
    const fts = filters.text === undefined ? undefined : toFtsQuery(filters.text);
    if (fts === undefined) {
      if (filters.text === undefined) {
        throw new LibraryError('INVALID_INPUT', 'Sorting by relevance needs a search text.', { sort });
      }
      return { items: [], nextCursor: null };
    }
    const terms = await conditionsFor(db, filters, false);
    terms.push(cond`images_fts.rowid >= coalesce((SELECT min(rowid) FROM (
      SELECT rowid FROM images_fts WHERE images_fts MATCH ${fts} ORDER BY rowid DESC LIMIT ${RELEVANCE_WINDOW})), 0)`);
    if (after !== undefined) terms.push(cond`(images_fts.rank, images.id) > (${after.value}, ${after.id})`);
    const rows = await db
      .selectFrom('images_fts')
      .innerJoin('images', 'images.id', 'images_fts.rowid')
      .selectAll('images')
      .select(sql<number>`images_fts.rank`.as('rank'))
      .where(cond`images_fts MATCH ${fts}`)
      .where((eb) => eb.and(terms))
      .orderBy(sql`images_fts.rank`)
      .orderBy('images.id')
      .limit(limit + 1)
      .execute();
    return page(rows, limit, (row) => ({ value: row.rank, id: row.id }));
  }

  const spec = SORTS[sort];
  const terms = await conditionsFor(db, filters, true);
  const column = sql.ref(`images.${spec.column}`);
  if (after !== undefined) {
    terms.push(
      spec.descending
        ? cond`(${column}, images.id) < (${after.value}, ${after.id})`
        : cond`(${column}, images.id) > (${after.value}, ${after.id})`,
    );
  }
  const direction = spec.descending ? 'desc' : 'asc';
  const rows = await db
    .selectFrom('images')
    .selectAll()
    .where((eb) => eb.and(terms))
    .orderBy(`images.${spec.column}`, direction)
    .orderBy('images.id', direction)
    .limit(limit + 1)
    .execute();
  return page(rows, limit, (row) => ({ value: row[spec.column], id: row.id }));
}

function page<R extends ImageRow>(rows: readonly R[], limit: number, key: (row: R) => { value: number; id: number }): ImagePage {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(toImage),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(key(last)) : null,
  };
}

/**
 * How many images match `filters` (the gallery's header). With `upTo`, counting stops there: a header that
 * says "10,000+" for a common word costs milliseconds where the exact figure costs a scan of every match.
 */
export async function countImages(db: LibraryDb, filters: ImageFilters = {}, options: Readonly<{ upTo?: number }> = {}): Promise<number> {
  const terms = await conditionsFor(db, parseImageFilters(filters), true);
  if (options.upTo === undefined) {
    const row = await db
      .selectFrom('images')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where((eb) => eb.and(terms))
      .executeTakeFirstOrThrow();
    return row.count;
  }
  if (!Number.isSafeInteger(options.upTo) || options.upTo < 1) {
    throw new LibraryError('INVALID_INPUT', 'upTo is a positive whole number.', { upTo: options.upTo });
  }
  const row = await db
    .selectFrom((eb) => eb.selectFrom('images').select(sql.lit(1).as('one')).where((w) => w.and(terms)).limit(options.upTo ?? 0).as('matches'))
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return row.count;
}

export interface ImageDetails extends Image {
  readonly tags: readonly string[];
  readonly albums: readonly { readonly id: number; readonly name: string }[];
}

export async function getImage(db: LibraryDb, id: number): Promise<ImageDetails> {
  const row = await db.selectFrom('images').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw new LibraryError('NOT_FOUND', `There is no image ${id}.`, { imageId: id });
  const tags = await db
    .selectFrom('image_tags')
    .innerJoin('tags', 'tags.id', 'image_tags.tag_id')
    .select('tags.name')
    .where('image_tags.image_id', '=', id)
    .orderBy('tags.name')
    .execute();
  const albums = await db
    .selectFrom('album_images')
    .innerJoin('albums', 'albums.id', 'album_images.album_id')
    .select(['albums.id', 'albums.name'])
    .where('album_images.image_id', '=', id)
    .orderBy('albums.name')
    .execute();
  return { ...toImage(row), tags: tags.map((t) => t.name), albums };
}

// ---- Bulk edits ---------------------------------------------------------------------------------------------

/** The WHERE term for a selection. Ids travel as one JSON parameter, so 100,000 ids are still one statement. */
export async function selectionCondition(db: LibraryDb, selection: ImageSelection): Promise<Expression<SqlBool>> {
  if ('ids' in selection) {
    if (!selection.ids.every((id) => Number.isSafeInteger(id))) {
      throw new LibraryError('INVALID_INPUT', 'Image ids must be integers.');
    }
    return cond`images.id IN (SELECT value FROM json_each(${JSON.stringify(selection.ids)}))`;
  }
  const terms = await conditionsFor(db, parseImageFilters(selection.filters), true);
  return cond`(${sql.join(terms, sql` AND `)})`;
}

/** Marks or unmarks the selection as favourites. Returns how many images changed. */
export async function setFavourite(db: LibraryDb, selection: ImageSelection, favourite: boolean): Promise<number> {
  const where = await selectionCondition(db, selection);
  const value = favourite ? 1 : 0;
  const result = await db.updateTable('images').set({ favourite: value }).where(where).where('favourite', '<>', value).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function setRating(db: LibraryDb, selection: ImageSelection, rating: number): Promise<number> {
  if (!Number.isInteger(rating) || rating < 0 || rating > 5) {
    throw new LibraryError('INVALID_INPUT', `A rating is a whole number from 0 to 5, not ${rating}.`, { rating });
  }
  const where = await selectionCondition(db, selection);
  const result = await db.updateTable('images').set({ rating }).where(where).where('rating', '<>', rating).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Moves the selection to the trash; nothing leaves the disk, `restoreImages` brings it back. */
export async function trashImages(db: LibraryDb, selection: ImageSelection, now = Date.now()): Promise<number> {
  const where = await selectionCondition(db, selection);
  const result = await db.updateTable('images').set({ deleted_at: now }).where(where).where('deleted_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function restoreImages(db: LibraryDb, selection: ImageSelection): Promise<number> {
  // Filters select from the trash here: restoring what the gallery shows would restore nothing.
  const where = await selectionCondition(db, 'filters' in selection ? { filters: { ...selection.filters, trashed: true } } : selection);
  const result = await db.updateTable('images').set({ deleted_at: null }).where(where).where('deleted_at', 'is not', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

function cleanTagNames(names: readonly string[]): string[] {
  const cleaned = [...new Set(names.map((n) => n.trim()).filter((n) => n !== ''))];
  if (cleaned.length === 0) throw new LibraryError('INVALID_INPUT', 'Give at least one non-empty tag.');
  return cleaned;
}

/** Adds tags to every image of the selection (creating the tags as needed). Returns the number of new links. */
export async function addTags(db: LibraryDb, selection: ImageSelection, names: readonly string[]): Promise<number> {
  const tags = cleanTagNames(names);
  return inTransaction(db, async (trx) => {
    await trx.insertInto('tags').values(tags.map((name) => ({ name }))).onConflict((oc) => oc.doNothing()).execute();
    const where = await selectionCondition(trx, selection);
    const result = await sql`
      INSERT OR IGNORE INTO image_tags (image_id, tag_id)
      SELECT images.id, tags.id FROM images, tags
      WHERE ${where} AND tags.name IN (${sql.join(tags)})`.execute(trx);
    return Number(result.numAffectedRows ?? 0n);
  });
}

export async function removeTags(db: LibraryDb, selection: ImageSelection, names: readonly string[]): Promise<number> {
  const tags = cleanTagNames(names);
  return inTransaction(db, async (trx) => {
    const where = await selectionCondition(trx, selection);
    const result = await sql`
      DELETE FROM image_tags
      WHERE tag_id IN (SELECT id FROM tags WHERE name IN (${sql.join(tags)}))
        AND image_id IN (SELECT images.id FROM images WHERE ${where})`.execute(trx);
    return Number(result.numAffectedRows ?? 0n);
  });
}

/** All tags with how many live images carry each, by name. */
export async function listTags(db: LibraryDb): Promise<readonly { readonly name: string; readonly count: number }[]> {
  return db
    .selectFrom('tags')
    .leftJoin('image_tags', 'image_tags.tag_id', 'tags.id')
    .select(['tags.name', (eb) => eb.fn.count<number>('image_tags.image_id').as('count')])
    .groupBy('tags.id')
    .orderBy('tags.name')
    .execute();
}

/** Sets the publishing counters the sync worker reads back from the platform. */
export async function updateImageStats(
  db: LibraryDb,
  id: number,
  stats: Readonly<{ likes?: number; tokensSpent?: number; companionId?: string | null }>,
): Promise<void> {
  const result = await db
    .updateTable('images')
    .set({
      ...(stats.likes === undefined ? {} : { likes: stats.likes }),
      ...(stats.tokensSpent === undefined ? {} : { tokens_spent: stats.tokensSpent }),
      ...(stats.companionId === undefined ? {} : { companion_id: stats.companionId }),
    })
    .where('id', '=', id)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw new LibraryError('NOT_FOUND', `There is no image ${id}.`, { imageId: id });
}
