/**
 * Albums: ordered collections of images (an image may be in many), and smart albums, which are a saved search.
 * Deleting an album never deletes its images. Membership edits take a selection of any size in one statement.
 *
 * Order is a fractional `position`: moving k images rewrites k rows, not the album; when repeated moves have
 * used up the gap between two neighbours, the album is renumbered once.
 */
import { sql } from 'kysely';
import { inTransaction, type LibraryDb, type LibraryTrx } from './connection';
import { LibraryError } from './errors';
import { listImages, selectionCondition, toImage, type ImagePage, type ImageSelection } from './images';
import { decodeCursor, encodeCursor, parseImageFilters, type ImageFilters } from './query';
import type { AlbumRow } from './schema';

export interface Album {
  readonly id: number;
  readonly name: string;
  readonly coverImageId: number | null;
  /** The cover's thumbnail (library-relative), when the album has a cover that is not in the trash. */
  readonly coverThumbnailPath: string | null;
  /** Set for a smart album: the saved search that defines its images. */
  readonly smartFilters: ImageFilters | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Members of a regular album; null for a smart album, whose count is a query (`countImages`). */
  readonly imageCount: number | null;
}

const MIN_GAP = 1e-6;

function toAlbum(row: AlbumRow, imageCount: number | null, coverThumbnailPath: string | null): Album {
  return {
    id: row.id,
    name: row.name,
    coverImageId: row.cover_image_id,
    coverThumbnailPath,
    smartFilters: row.smart_query === null ? null : parseImageFilters(JSON.parse(row.smart_query)),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    imageCount,
  };
}

function cleanName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 200) {
    throw new LibraryError('INVALID_INPUT', 'An album name has 1 to 200 characters.', { name });
  }
  return trimmed;
}

async function albumRow(db: LibraryDb, id: number): Promise<AlbumRow> {
  const row = await db.selectFrom('albums').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw new LibraryError('NOT_FOUND', `There is no album ${id}.`, { albumId: id });
  return row;
}

async function regularAlbum(db: LibraryDb, id: number): Promise<AlbumRow> {
  const row = await albumRow(db, id);
  if (row.smart_query !== null) {
    throw new LibraryError('INVALID_INPUT', `"${row.name}" is a smart album: its images come from its search.`, { albumId: id });
  }
  return row;
}

export async function createAlbum(
  db: LibraryDb,
  input: Readonly<{ name: string; smartFilters?: ImageFilters }>,
  now = Date.now(),
): Promise<Album> {
  const smart = input.smartFilters === undefined ? null : JSON.stringify(parseImageFilters(input.smartFilters));
  const row = await db
    .insertInto('albums')
    .values({ name: cleanName(input.name), smart_query: smart, cover_image_id: null, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAlbum(row, smart === null ? 0 : null, null);
}

/** The thumbnail of an album's cover, for the SELECT that reads the album. */
const coverThumbnail = sql<string | null>`(SELECT thumbnail_path FROM images WHERE images.id = albums.cover_image_id AND images.deleted_at IS NULL)`;

export async function getAlbum(db: LibraryDb, id: number): Promise<Album> {
  const row = await albumRow(db, id);
  const { cover } = await db.selectFrom('albums').select(coverThumbnail.as('cover')).where('id', '=', id).executeTakeFirstOrThrow();
  if (row.smart_query !== null) return toAlbum(row, null, cover);
  const { count } = await db
    .selectFrom('album_images')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('album_id', '=', id)
    .executeTakeFirstOrThrow();
  return toAlbum(row, count, cover);
}

export async function listAlbums(db: LibraryDb): Promise<readonly Album[]> {
  const rows = await db
    .selectFrom('albums')
    .selectAll('albums')
    .select((eb) =>
      eb.selectFrom('album_images').select((e) => e.fn.countAll<number>().as('n')).whereRef('album_images.album_id', '=', 'albums.id').as('count'),
    )
    .select(coverThumbnail.as('cover'))
    .orderBy('albums.name')
    .orderBy('albums.id')
    .execute();
  return rows.map((row) => toAlbum(row, row.smart_query === null ? (row.count ?? 0) : null, row.cover));
}

export async function findAlbumByName(db: LibraryDb, name: string): Promise<Album | undefined> {
  const row = await db.selectFrom('albums').select('id').where('name', '=', name.trim()).orderBy('id').executeTakeFirst();
  return row === undefined ? undefined : getAlbum(db, row.id);
}

/** Renaming re-indexes the album's name alone (migration 008): a search by name finds its members at query time. */
export async function renameAlbum(db: LibraryDb, id: number, name: string, now = Date.now()): Promise<void> {
  const result = await db.updateTable('albums').set({ name: cleanName(name), updated_at: now }).where('id', '=', id).executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw new LibraryError('NOT_FOUND', `There is no album ${id}.`, { albumId: id });
}

/** Replaces a smart album's saved search. */
export async function setSmartFilters(db: LibraryDb, id: number, filters: ImageFilters, now = Date.now()): Promise<void> {
  const row = await albumRow(db, id);
  if (row.smart_query === null) throw new LibraryError('INVALID_INPUT', `"${row.name}" is not a smart album.`, { albumId: id });
  await db.updateTable('albums').set({ smart_query: JSON.stringify(parseImageFilters(filters)), updated_at: now }).where('id', '=', id).execute();
}

/** Deletes the album and its memberships; the images stay in the library. */
export async function deleteAlbum(db: LibraryDb, id: number): Promise<void> {
  const result = await db.deleteFrom('albums').where('id', '=', id).executeTakeFirst();
  if (result.numDeletedRows === 0n) throw new LibraryError('NOT_FOUND', `There is no album ${id}.`, { albumId: id });
}

/**
 * Appends the selection to the album, in the order given (ids) or oldest first (filters); images already in it
 * keep their place. Returns how many were added.
 */
export async function addToAlbum(db: LibraryDb, albumId: number, selection: ImageSelection, now = Date.now()): Promise<number> {
  return inTransaction(db, async (trx) => {
    await regularAlbum(trx, albumId);
    const { last } = await trx
      .selectFrom('album_images')
      .select((eb) => eb.fn.coalesce(eb.fn.max('position'), sql.lit(0)).as('last'))
      .where('album_id', '=', albumId)
      .executeTakeFirstOrThrow();
    const result =
      'ids' in selection
        ? await sql`
            INSERT OR IGNORE INTO album_images (album_id, image_id, position, added_at)
            SELECT ${albumId}, images.id, ${last} + 1 + j.key, ${now}
            FROM json_each(${JSON.stringify(selection.ids)}) j JOIN images ON images.id = j.value
            ORDER BY j.key`.execute(trx)
        : await sql`
            INSERT OR IGNORE INTO album_images (album_id, image_id, position, added_at)
            SELECT ${albumId}, images.id, ${last} + row_number() OVER (ORDER BY images.created_at, images.id), ${now}
            FROM images WHERE ${await selectionCondition(trx, selection)}`.execute(trx);
    await trx.updateTable('albums').set({ updated_at: now }).where('id', '=', albumId).execute();
    return Number(result.numAffectedRows ?? 0n);
  });
}

export async function removeFromAlbum(db: LibraryDb, albumId: number, selection: ImageSelection, now = Date.now()): Promise<number> {
  return inTransaction(db, async (trx) => {
    await regularAlbum(trx, albumId);
    const where = await selectionCondition(trx, selection);
    const result = await sql`
      DELETE FROM album_images WHERE album_id = ${albumId}
        AND image_id IN (SELECT images.id FROM images WHERE ${where})`.execute(trx);
    await trx.updateTable('albums').set({ updated_at: now }).where('id', '=', albumId).execute();
    return Number(result.numAffectedRows ?? 0n);
  });
}

async function renumber(trx: LibraryTrx, albumId: number): Promise<void> {
  await sql`
    UPDATE album_images SET position = ranked.n
    FROM (SELECT image_id, row_number() OVER (ORDER BY position, image_id) AS n
          FROM album_images WHERE album_id = ${albumId}) AS ranked
    WHERE album_images.album_id = ${albumId} AND album_images.image_id = ranked.image_id`.execute(trx);
}

/** The free interval to place `count` images in: before `beforeImageId`, or at the end when it is null. */
async function gap(
  trx: LibraryTrx,
  albumId: number,
  moving: string,
  beforeImageId: number | null,
  count: number,
): Promise<{ low: number; high: number }> {
  if (beforeImageId === null) {
    const { last } = await trx
      .selectFrom('album_images')
      .select((eb) => eb.fn.coalesce(eb.fn.max('position'), sql.lit(0)).as('last'))
      .where('album_id', '=', albumId)
      .where(sql<boolean>`image_id NOT IN (SELECT value FROM json_each(${moving}))`)
      .executeTakeFirstOrThrow();
    return { low: last, high: last + count + 1 };
  }
  const before = await trx
    .selectFrom('album_images')
    .select('position')
    .where('album_id', '=', albumId)
    .where('image_id', '=', beforeImageId)
    .executeTakeFirst();
  if (before === undefined) {
    throw new LibraryError('NOT_FOUND', `Image ${beforeImageId} is not in album ${albumId}.`, { albumId, imageId: beforeImageId });
  }
  const previous = await trx
    .selectFrom('album_images')
    .select((eb) => eb.fn.max('position').as('position'))
    .where('album_id', '=', albumId)
    .where('position', '<', before.position)
    .where(sql<boolean>`image_id NOT IN (SELECT value FROM json_each(${moving}))`)
    .executeTakeFirstOrThrow();
  return { low: previous.position ?? before.position - count - 1, high: before.position };
}

/**
 * Moves `imageIds` (members of the album, in the order given) to just before `beforeImageId`, or to the end
 * when it is null.
 */
export async function reorderAlbum(
  db: LibraryDb,
  albumId: number,
  imageIds: readonly number[],
  beforeImageId: number | null,
  now = Date.now(),
): Promise<void> {
  const ids = [...new Set(imageIds)];
  if (ids.length === 0) return;
  if (beforeImageId !== null && ids.includes(beforeImageId)) {
    throw new LibraryError('INVALID_INPUT', 'An image cannot be moved before itself.', { imageId: beforeImageId });
  }
  await inTransaction(db, async (trx) => {
    await regularAlbum(trx, albumId);
    const moving = JSON.stringify(ids);
    const { members } = await trx
      .selectFrom('album_images')
      .select((eb) => eb.fn.countAll<number>().as('members'))
      .where('album_id', '=', albumId)
      .where(sql<boolean>`image_id IN (SELECT value FROM json_each(${moving}))`)
      .executeTakeFirstOrThrow();
    if (members !== ids.length) {
      throw new LibraryError('NOT_FOUND', `Only ${members} of the ${ids.length} images to move are in album ${albumId}.`, { albumId });
    }
    let { low, high } = await gap(trx, albumId, moving, beforeImageId, ids.length);
    if ((high - low) / (ids.length + 1) < MIN_GAP) {
      await renumber(trx, albumId);
      ({ low, high } = await gap(trx, albumId, moving, beforeImageId, ids.length));
    }
    const step = (high - low) / (ids.length + 1);
    await sql`
      UPDATE album_images SET position = ${low} + ${step} * (j.key + 1)
      FROM json_each(${moving}) AS j
      WHERE album_images.album_id = ${albumId} AND album_images.image_id = j.value`.execute(trx);
    await trx.updateTable('albums').set({ updated_at: now }).where('id', '=', albumId).execute();
  });
}

/** Sets (or clears, with null) the image shown for the album; for a regular album it must be a member. */
export async function setAlbumCover(db: LibraryDb, albumId: number, imageId: number | null, now = Date.now()): Promise<void> {
  await inTransaction(db, async (trx) => {
    const album = await albumRow(trx, albumId);
    if (imageId !== null) {
      const member =
        album.smart_query === null
          ? await trx.selectFrom('album_images').select('image_id').where('album_id', '=', albumId).where('image_id', '=', imageId).executeTakeFirst()
          : await trx.selectFrom('images').select('id').where('id', '=', imageId).executeTakeFirst();
      if (member === undefined) {
        throw new LibraryError('NOT_FOUND', `Image ${imageId} is not in album ${albumId}.`, { albumId, imageId });
      }
    }
    await trx.updateTable('albums').set({ cover_image_id: imageId, updated_at: now }).where('id', '=', albumId).execute();
  });
}

/**
 * One page of the album in its own order (a smart album: its search, newest first). Images in the trash are
 * left out but keep their place.
 */
export async function listAlbumImages(
  db: LibraryDb,
  albumId: number,
  page: Readonly<{ limit?: number; cursor?: string }> = {},
): Promise<ImagePage> {
  const album = await albumRow(db, albumId);
  const limit = page.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new LibraryError('INVALID_INPUT', 'A page holds 1 to 1000 images.', { limit });
  }
  if (album.smart_query !== null) {
    return listImages(db, { filters: { albumId }, sort: 'newest', limit, ...(page.cursor === undefined ? {} : { cursor: page.cursor }) });
  }
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
  let query = db
    .selectFrom('album_images')
    .innerJoin('images', 'images.id', 'album_images.image_id')
    .selectAll('images')
    .select('album_images.position')
    .where('album_images.album_id', '=', albumId)
    .where(sql<boolean>`images.deleted_at IS NULL`)
    .orderBy('album_images.position')
    .orderBy('album_images.image_id')
    .limit(limit + 1);
  if (after !== undefined) {
    query = query.where(sql<boolean>`(album_images.position, album_images.image_id) > (${after.value}, ${after.id})`);
  }
  const rows = await query.execute();
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(toImage),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ value: last.position, id: last.id }) : null,
  };
}
