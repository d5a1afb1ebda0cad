/**
 * Images: the gallery's queries (filters, sorts, keyset pages, counts) and the curating edits, each of which
 * takes a selection of any size and runs as one statement in one transaction.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import { inTransaction, type LibraryDb } from './connection';
import { LibraryError } from './errors';
import {
  type Cursor,
  decodeCursor,
  encodeCursor,
  parseImageFilters,
  parseImageQuery,
  type ImageFilters,
  type ImageQuery,
  type ImageSort,
} from './query';
import type { ImageFormat, ImageRow, ImageSource, ImageSyncState } from './schema';
import { phraseMatches, searchMatches, type SearchMatches } from './matches';
import { bm25Ranks, scoredPhrases } from './search';

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
 * newest 1,000 matches are found by reading the index backwards and scored in milliseconds. For a query with
 * fewer matches than that the ranking is exact; for a very common word, "best of the recent" is also what a
 * gallery wants. (The window was 2,000: reading and scoring it cost 20–30 ms at a million images, over the
 * 20 ms a search may take; 1,000 is ten pages of results.)
 *
 * The scoring is FTS5's BM25 computed here (`bm25Ranks`) rather than by FTS5's bm25(): that one first counts
 * every match of every phrase in the whole library for its IDF — a full scan of a common word, and of every
 * position of a phrase, which is what made such a search cost 100+ ms. Here lengths are averaged over the
 * window and, when several phrases compete, each one's IDF comes from how common it is among recent images
 * (its newest `IDF_SAMPLE` matches and the span of ids they cover).
 */
const RELEVANCE_WINDOW = 1000;
const IDF_SAMPLE = 1000;
/** The columns' weights, as migration 003 configured FTS5's rank: prompt, negative prompt, tags, albums. */
const COLUMN_WEIGHTS = [10, 0.5, 5, 3];
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
    const matches = await searchMatches(db, filters.text);
    terms.push(matches === undefined ? NOTHING : cond`images.id IN (${matches.ids()})`);
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
    if (filters.text === undefined) {
      throw new LibraryError('INVALID_INPUT', 'Sorting by relevance needs a search text.', { sort });
    }
    const matches = await searchMatches(db, filters.text);
    if (matches === undefined) return { items: [], nextCursor: null };
    return listByRelevance(db, filters, matches, after, limit);
  }

  const spec = SORTS[sort];
  const column = sql.ref(`images.${spec.column}`);
  const keyset =
    after === undefined
      ? []
      : [
          spec.descending
            ? cond`(${column}, images.id) < (${after.value}, ${after.id})`
            : cond`(${column}, images.id) > (${after.value}, ${after.id})`,
        ];
  const direction = spec.descending ? 'desc' : 'asc';
  const matches = filters.text === undefined || spec.column !== 'created_at' ? undefined : await searchMatches(db, filters.text);
  if (matches !== undefined) {
    const terms = [...(await conditionsFor(db, filters, false)), ...keyset];
    const rows = await walkMatchesByTime(db, matches, terms, spec.descending, limit);
    if (rows !== undefined) return page(rows, limit, (row) => ({ value: row.created_at, id: row.id }));
  }
  const terms = [...(await conditionsFor(db, filters, true)), ...keyset];
  const index = await flagSortIndex(db, filters, spec.column, limit);
  if (index !== undefined) {
    const result = await sql<ImageRow>`
      SELECT * FROM images INDEXED BY ${sql.raw(index)} WHERE ${sql.join(terms, sql` AND `)}
      ORDER BY ${column} ${sql.raw(direction)}, images.id ${sql.raw(direction)} LIMIT ${limit + 1}`.execute(db);
    return page(result.rows, limit, (row) => ({ value: row[spec.column], id: row.id }));
  }
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

/** The partial indexes that hold the favourites (migrations 001, 007) and published images (001, 006) by sort. */
const FLAG_SORT_INDEXES: Readonly<Record<'favourite' | 'published', Partial<Record<SortSpec['column'], string>>>> = {
  favourite: {
    created_at: 'images_favourite_created',
    likes: 'images_favourite_likes',
    tokens_spent: 'images_favourite_tokens_spent',
    rating: 'images_favourite_rating',
  },
  published: { created_at: 'images_published_created', likes: 'images_published_likes', tokens_spent: 'images_published_tokens' },
};
/** Index entries a page may read before sorting the matches is the better plan. */
const FLAG_WALK_LIMIT = 20_000;

/**
 * SQLite's planner knows how many rows each index holds but not how filters correlate, so for "favourites of
 * one model, by tokens spent" it reads every image of the model and sorts them. The facet counters do know:
 * walking the favourites in sort order reads about (page size × favourites / matches) entries before the page
 * is full. When that is small, name the index. Only for filters the counters answer exactly.
 */
async function flagSortIndex(db: LibraryDb, filters: ImageFilters, column: SortSpec['column'], limit: number): Promise<string | undefined> {
  const matchTerms = facetTerms(filters);
  if (matchTerms === undefined || filters.trashed === true) return undefined;
  const flags = (['favourite', 'published'] as const).filter((flag) => filters[flag] === true && FLAG_SORT_INDEXES[flag][column] !== undefined);
  const others = Object.entries(filters).filter(([key, value]) => value !== undefined && key !== 'trashed' && !flags.some((f) => f === key));
  // A flag alone is already what SQLite picks; only a mix needs the counts.
  if (flags.length === 0 || (flags.length === 1 && others.length === 0)) return undefined;
  const matches = await facetCount(db, matchTerms);
  let best: { index: string; reads: number } | undefined;
  for (const flag of flags) {
    const index = FLAG_SORT_INDEXES[flag][column];
    if (index === undefined) continue;
    const flagged = await facetCount(db, [cond`trashed = 0`, cond`${sql.ref(flag)} = 1`]);
    const reads = matches === 0 ? flagged : Math.min(flagged, ((limit + 1) * flagged) / matches);
    if (best === undefined || reads < best.reads) best = { index, reads };
  }
  return best !== undefined && best.reads <= FLAG_WALK_LIMIT ? best.index : undefined;
}

/** A page of the newest `RELEVANCE_WINDOW` matches of the search that pass the filters, best first (see above). */
async function listByRelevance(
  db: LibraryDb,
  filters: ImageFilters,
  matches: SearchMatches,
  after: Cursor | undefined,
  limit: number,
): Promise<ImagePage> {
  const terms = await conditionsFor(db, filters, false);
  // The window and its texts in one statement: the ids stream from FTS5 straight into the row lookups.
  const texts = await sql<{ id: number; prompt: string; negative_prompt: string }>`
    SELECT images.id, images.prompt, images.negative_prompt
    FROM (${matches.ids({ order: 'desc', limit: RELEVANCE_WINDOW })}) AS newest CROSS JOIN images ON images.id = newest.id
    WHERE ${sql.join(terms, sql` AND `)}`.execute(db);
  if (texts.rows.length === 0) return { items: [], nextCursor: null };
  const ids = JSON.stringify(texts.rows.map((r) => r.id));
  // Tag and album names, as the search rows held them before migration 008; few images have any, so one grouped
  // read each costs less than two subqueries per image.
  const tags = await sql<{ id: number; text: string }>`
    SELECT it.image_id AS id, group_concat(t.name, ' ') AS text FROM json_each(${ids}) AS w
    CROSS JOIN image_tags it ON it.image_id = w.value JOIN tags t ON t.id = it.tag_id GROUP BY it.image_id`.execute(db);
  const albums = await sql<{ id: number; text: string }>`
    SELECT ai.image_id AS id, group_concat(a.name, ' ') AS text FROM json_each(${ids}) AS w
    CROSS JOIN album_images ai ON ai.image_id = w.value JOIN albums a ON a.id = ai.album_id GROUP BY ai.image_id`.execute(db);
  const tagText = new Map(tags.rows.map((r) => [r.id, r.text]));
  const albumText = new Map(albums.rows.map((r) => [r.id, r.text]));
  const text = filters.text ?? '';
  const phrases = scoredPhrases(text);
  const ranks = bm25Ranks(
    texts.rows.map((t) => ({ id: t.id, columns: [t.prompt, t.negative_prompt, tagText.get(t.id) ?? '', albumText.get(t.id) ?? ''] })),
    phrases,
    COLUMN_WEIGHTS,
    phrases.length > 1 ? await recentIdf(db, text) : undefined,
  );
  const ordered = [...ranks]
    .map(([id, rank]) => ({ id, rank }))
    .filter((r) => after === undefined || r.rank > after.value || (r.rank === after.value && r.id > after.id))
    .sort((a, b) => a.rank - b.rank || a.id - b.id)
    .slice(0, limit + 1);
  // The page's rows looked up by id in the page's order (cheaper than `id IN (…)`, which sorts them first).
  const { rows } = await sql<ImageRow>`
    SELECT images.* FROM json_each(${JSON.stringify(ordered.map((r) => r.id))}) AS chosen CROSS JOIN images ON images.id = chosen.value`.execute(db);
  const byId = new Map(rows.map((row) => [row.id, row]));
  const ranked = ordered.flatMap((r) => {
    const row = byId.get(r.id);
    return row === undefined ? [] : [{ ...row, rank: r.rank }];
  });
  return page(ranked, limit, (row) => ({ value: row.rank, id: row.id }));
}

/**
 * Each wanted phrase's IDF among recent images: BM25's log((N - n + 0.5) / (n + 0.5)), with n its newest
 * `IDF_SAMPLE` matches (or all of them) and N the ids they span. Floored as FTS5 floors it.
 */
async function recentIdf(db: LibraryDb, text: string): Promise<number[]> {
  const { last } = await db.selectFrom('images').select((eb) => eb.fn.max('id').as('last')).executeTakeFirstOrThrow();
  const { first } = await db.selectFrom('images').select((eb) => eb.fn.min('id').as('first')).executeTakeFirstOrThrow();
  const idf: number[] = [];
  for (const matches of await phraseMatches(db, text)) {
    const sample = await sql<{ n: number; low: number | null }>`
      SELECT count(*) AS n, min(id) AS low FROM (${matches.ids({ order: 'desc', limit: IDF_SAMPLE })})`.execute(db);
    const { n = 0, low = null } = sample.rows[0] ?? {};
    const span = (last ?? 0) - (n < IDF_SAMPLE ? (first ?? 0) : (low ?? 0)) + 1;
    idf.push(Math.max(1e-6, Math.log((span - n + 0.5) / (n + 0.5))));
  }
  return idf;
}

/** The first walk step, in matches; each further step is four times the last, up to the largest. */
const WALK_FIRST = 256;
const WALK_LARGEST = 16_384;
/** Past this many matches walked the general plan is no worse, and it has no worst case of its own to add. */
const WALK_GIVE_UP = 60_000;
/** Ids per row of `image_id_spans` (migration 007). */
const ID_SPAN = 256;

/**
 * A search sorted by time: FTS5 hands out matches in id order, and ids follow insertion, which mostly follows
 * `created_at` (imported history is the exception). So walk the matches from the newest id down (or the oldest
 * up) a step at a time, keep the best `limit + 1` rows that pass the other filters, and stop as soon as
 * `image_id_spans` proves that no match not yet seen can be newer (older) than the last of them: for a common
 * word that is a few hundred rows, where sorting every match costs a scan of all of them. Ties cannot slip
 * through: an unseen match with the same time has a smaller (larger) id, so it sorts after.
 * Returns undefined when the walk grows long (a time order far from id order, or filters that reject most
 * matches); the caller then runs the general plan.
 */
async function walkMatchesByTime(
  db: LibraryDb,
  matches: SearchMatches,
  terms: readonly Expression<SqlBool>[],
  descending: boolean,
  limit: number,
): Promise<ImageRow[] | undefined> {
  const direction = descending ? 'desc' : 'asc';
  const order = (a: ImageRow, b: ImageRow) => (descending ? b.created_at - a.created_at || b.id - a.id : a.created_at - b.created_at || a.id - b.id);
  let best: ImageRow[] = [];
  let edge: number | undefined;
  let step = Math.max(WALK_FIRST, 2 * (limit + 1));
  for (let walked = 0; walked < WALK_GIVE_UP; step = Math.min(WALK_LARGEST, step * 4)) {
    const found = await matches.ids({ order: direction, limit: step, ...(edge === undefined ? {} : { edge }) }).execute(db);
    const ids = found.rows.map((r) => r.id);
    if (ids.length > 0) {
      const rows = await db
        .selectFrom('images')
        .selectAll()
        .where(cond`images.id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`)
        .where((eb) => eb.and([...terms]))
        .orderBy('images.created_at', direction)
        .orderBy('images.id', direction)
        .limit(limit + 1)
        .execute();
      best = [...best, ...rows].sort(order).slice(0, limit + 1);
    }
    walked += ids.length;
    edge = ids.at(-1);
    if (ids.length < step || edge === undefined) return best;
    const last = best[limit];
    if (last !== undefined) {
      const bound = descending
        ? db.selectFrom('image_id_spans').select((eb) => eb.fn.max('newest').as('time')).where('span', '<=', Math.floor((edge - 1) / ID_SPAN))
        : db.selectFrom('image_id_spans').select((eb) => eb.fn.min('oldest').as('time')).where('span', '>=', Math.floor((edge + 1) / ID_SPAN));
      const { time } = await bound.executeTakeFirstOrThrow();
      if (time === null || (descending ? last.created_at >= time : last.created_at <= time)) return best;
    }
  }
  return undefined;
}

function page<R extends ImageRow>(rows: readonly R[], limit: number, key: (row: R) => { value: number; id: number }): ImagePage {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(toImage),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(key(last)) : null,
  };
}

const DAY_MS = 86_400_000;

/**
 * The counter terms for filters that `image_facets` can answer (no search text, dates, album or tag), or
 * undefined. Literal values, as for the images: the counter table is small, but its key order still matters.
 */
function facetTerms(filters: ImageFilters): Expression<SqlBool>[] | undefined {
  const { text, since, until, albumId, tag } = filters;
  if (text !== undefined || since !== undefined || until !== undefined || albumId !== undefined || tag !== undefined) return undefined;
  const terms: Expression<SqlBool>[] = [cond`trashed = ${sql.lit(filters.trashed === true ? 1 : 0)}`];
  if (filters.published !== undefined) terms.push(cond`published = ${sql.lit(filters.published ? 1 : 0)}`);
  if (filters.favourite !== undefined) terms.push(cond`favourite = ${sql.lit(filters.favourite ? 1 : 0)}`);
  if (filters.minRating !== undefined) terms.push(cond`rating >= ${filters.minRating}`);
  if (filters.models !== undefined) terms.push(filters.models.length === 0 ? NOTHING : cond`model_name IN (${sql.join(filters.models)})`);
  if (filters.samplers !== undefined) terms.push(filters.samplers.length === 0 ? NOTHING : cond`sampler IN (${sql.join(filters.samplers)})`);
  if (filters.width !== undefined) terms.push(cond`width = ${filters.width}`);
  if (filters.height !== undefined) terms.push(cond`height = ${filters.height}`);
  if (filters.aspect === 'square') terms.push(cond`width = height`);
  if (filters.aspect === 'portrait') terms.push(cond`width < height`);
  if (filters.aspect === 'landscape') terms.push(cond`width > height`);
  // A missing companion is stored as the integer 0, which no text equals.
  if (filters.companionId !== undefined) terms.push(cond`companion_id = ${filters.companionId}`);
  return terms;
}

async function facetCount(db: LibraryDb, terms: readonly Expression<SqlBool>[]): Promise<number> {
  const row = await db
    .selectFrom('image_facets')
    .select(sql<number>`coalesce(sum(images), 0)`.as('count'))
    .where((eb) => eb.and([...terms]))
    .executeTakeFirstOrThrow();
  return row.count;
}

/** Counts with the images table itself: the general case, exact, or stopping at `upTo`. */
async function scanCount(db: LibraryDb, filters: ImageFilters, upTo: number | undefined): Promise<number> {
  const terms = await conditionsFor(db, filters, true);
  if (upTo === undefined) {
    const row = await db
      .selectFrom('images')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where((eb) => eb.and(terms))
      .executeTakeFirstOrThrow();
    return row.count;
  }
  const row = await db
    .selectFrom((eb) => eb.selectFrom('images').select(sql.lit(1).as('one')).where((w) => w.and(terms)).limit(upTo).as('matches'))
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return row.count;
}

/**
 * A date range over live images: whole days from `image_days`, the partial days at either end from the
 * images (a day's worth of index entries at most).
 */
async function dayRangeCount(db: LibraryDb, since: number | undefined, until: number | undefined): Promise<number> {
  const firstDay = since === undefined ? undefined : Math.ceil(since / DAY_MS);
  const lastDay = until === undefined ? undefined : Math.floor((until + 1) / DAY_MS) - 1;
  if (firstDay !== undefined && lastDay !== undefined && firstDay > lastDay) return scanCount(db, { since, until }, undefined);
  let days = db.selectFrom('image_days').select(sql<number>`coalesce(sum(images), 0)`.as('count'));
  if (firstDay !== undefined) days = days.where('day', '>=', firstDay);
  if (lastDay !== undefined) days = days.where('day', '<=', lastDay);
  const { count } = await days.executeTakeFirstOrThrow();
  const head = since === undefined || firstDay === undefined ? 0 : await scanCount(db, { since, until: firstDay * DAY_MS - 1 }, undefined);
  const tail = until === undefined || lastDay === undefined ? 0 : await scanCount(db, { since: (lastDay + 1) * DAY_MS, until }, undefined);
  return count + head + tail;
}

/**
 * A search alone: the matches come from FTS5 without touching the images, less those in the trash (few, found
 * from the trash's own index). With `upTo` FTS5 stops early, allowing for the trash.
 */
async function searchCount(db: LibraryDb, matches: SearchMatches, upTo: number | undefined): Promise<number> {
  const trashed = await facetCount(db, [cond`trashed = 1`]);
  const found = await sql<{ count: number }>`
    SELECT count(*) AS count FROM (${upTo === undefined ? matches.ids() : matches.ids({ order: 'asc', limit: upTo + trashed })})`.execute(db);
  const count = found.rows[0]?.count ?? 0;
  if (upTo !== undefined && count >= upTo + trashed) return upTo;
  const inTrash =
    trashed === 0
      ? 0
      : ((
          await sql<{ count: number }>`
            SELECT count(*) AS count FROM images
            WHERE images.deleted_at IS NOT NULL AND images.id IN (${matches.ids()})`.execute(db)
        ).rows[0]?.count ?? 0);
  return upTo === undefined ? count - inTrash : Math.min(upTo, count - inTrash);
}

/**
 * How many images match `filters` (the gallery's header). With `upTo`, counting stops there: a header that
 * says "10,000+" for a common word costs milliseconds where the exact figure costs a scan of every match.
 *
 * The common shapes are answered from counters that migration 007 keeps: facet filters alone from
 * `image_facets`, a date range alone from `image_days`, a search alone from FTS5 less the trash. Anything else
 * is counted on the images.
 */
export async function countImages(db: LibraryDb, filters: ImageFilters = {}, options: Readonly<{ upTo?: number }> = {}): Promise<number> {
  const parsed = parseImageFilters(filters);
  const { upTo } = options;
  if (upTo !== undefined && (!Number.isSafeInteger(upTo) || upTo < 1)) {
    throw new LibraryError('INVALID_INPUT', 'upTo is a positive whole number.', { upTo });
  }
  const capped = (count: number) => (upTo === undefined ? count : Math.min(count, upTo));
  const facets = facetTerms(parsed);
  if (facets !== undefined) return capped(await facetCount(db, facets));

  const { text, since, until, trashed, ...rest } = parsed;
  const alone = Object.values(rest).every((value) => value === undefined) && trashed !== true;
  if (alone && text === undefined && (since !== undefined || until !== undefined)) return capped(await dayRangeCount(db, since, until));
  if (alone && text !== undefined && since === undefined && until === undefined) {
    const matches = await searchMatches(db, text);
    return matches === undefined ? 0 : searchCount(db, matches, upTo);
  }
  return scanCount(db, parsed, upTo);
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
