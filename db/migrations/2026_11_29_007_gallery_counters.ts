/**
 * What the gallery needs to stay within 20 ms at a million images, kept in step by triggers so that no write
 * path can forget them. Frozen in time: it imports nothing of the app and types the database as unknown.
 *
 * - `image_facets`: how many images share each combination of the filterable facets (trash, published,
 *   favourite, rating, model, sampler, size, companion). A count for any mix of those filters is a sum over a few
 *   thousand rows instead of a scan of up to a million images. A facet that is NULL on the image is stored as
 *   the integer 0 (the text columns have no type affinity, so 0 never equals a name) because the key must be
 *   free of NULLs for an upsert to find its row.
 * - `image_days`: live (not trashed) images per UTC day of `created_at`, so that a date-range count reads whole
 *   days here and only the two partial days at its ends from the images.
 * - `image_id_spans`: the newest and oldest `created_at` among the images of each span of 256 ids. Search
 *   results come out of FTS5 in id order; these bounds say when a walk down (or up) the ids has seen every match
 *   that can still be newer (or older) than the page found so far. They only widen (a delete leaves them), which
 *   keeps them safe bounds.
 * - Indexes for the favourites view under each sort, and on finished jobs by last update (the queue panel's most
 *   recent finished jobs).
 */
import { sql, type Kysely } from 'kysely';

const DAY_MS = 86_400_000;
const SPAN_SHIFT = 8;

/** The facet key of `row` ('new' or 'old'), in the column order of `image_facets`. */
const facetKey = (row: 'new' | 'old') => `${row}.deleted_at IS NOT NULL, ${row}.sync_state = 'published', ${row}.favourite,
  ${row}.rating, coalesce(${row}.model_name, 0), coalesce(${row}.sampler, 0), ${row}.width, ${row}.height,
  coalesce(${row}.companion_id, 0)`;

const addFacet = (row: 'new' | 'old') => `
  INSERT INTO image_facets (trashed, published, favourite, rating, model_name, sampler, width, height, companion_id, images)
  VALUES (${facetKey(row)}, 1)
  ON CONFLICT DO UPDATE SET images = images + 1;`;

const removeFacet = (row: 'new' | 'old') => `
  UPDATE image_facets SET images = images - 1
  WHERE (trashed, published, favourite, rating, model_name, sampler, width, height, companion_id) = (${facetKey(row)});`;

/** Days without floating point, and floored for times before 1970 too (SQLite's % keeps the dividend's sign). */
const dayOf = (createdAt: string) => `((${createdAt} - ((${createdAt} % ${DAY_MS}) + ${DAY_MS}) % ${DAY_MS}) / ${DAY_MS})`;

const addDay = (row: 'new' | 'old') => `
  INSERT INTO image_days (day, images) SELECT ${dayOf(`${row}.created_at`)}, 1 WHERE ${row}.deleted_at IS NULL
  ON CONFLICT DO UPDATE SET images = images + 1;`;

const removeDay = (row: 'new' | 'old') => `
  UPDATE image_days SET images = images - 1 WHERE ${row}.deleted_at IS NULL AND day = ${dayOf(`${row}.created_at`)};`;

const widenSpan = `
  INSERT INTO image_id_spans (span, newest, oldest) VALUES (new.id >> ${SPAN_SHIFT}, new.created_at, new.created_at)
  ON CONFLICT DO UPDATE SET newest = max(newest, excluded.newest), oldest = min(oldest, excluded.oldest);`;

const facetChanged = `(old.deleted_at IS NULL) IS NOT (new.deleted_at IS NULL)
  OR (old.sync_state = 'published') IS NOT (new.sync_state = 'published')
  OR old.favourite IS NOT new.favourite OR old.rating IS NOT new.rating OR old.model_name IS NOT new.model_name
  OR old.sampler IS NOT new.sampler OR old.width IS NOT new.width OR old.height IS NOT new.height
  OR old.companion_id IS NOT new.companion_id`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE image_facets (
    trashed INTEGER NOT NULL, published INTEGER NOT NULL, favourite INTEGER NOT NULL, rating INTEGER NOT NULL,
    model_name NOT NULL, sampler NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL, companion_id NOT NULL,
    images INTEGER NOT NULL,
    PRIMARY KEY (trashed, published, favourite, rating, model_name, sampler, width, height, companion_id)
  ) WITHOUT ROWID`.execute(db);
  await sql`CREATE TABLE image_days (day INTEGER PRIMARY KEY, images INTEGER NOT NULL)`.execute(db);
  await sql`CREATE TABLE image_id_spans (span INTEGER PRIMARY KEY, newest INTEGER NOT NULL, oldest INTEGER NOT NULL)`.execute(db);

  // What the library already holds, counted once.
  await sql
    .raw(
      `INSERT INTO image_facets (trashed, published, favourite, rating, model_name, sampler, width, height, companion_id, images)
       SELECT deleted_at IS NOT NULL, sync_state = 'published', favourite, rating, coalesce(model_name, 0), coalesce(sampler, 0),
         width, height, coalesce(companion_id, 0), count(*)
       FROM images GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`,
    )
    .execute(db);
  await sql
    .raw(`INSERT INTO image_days (day, images) SELECT ${dayOf('created_at')}, count(*) FROM images WHERE deleted_at IS NULL GROUP BY 1`)
    .execute(db);
  await sql
    .raw(
      `INSERT INTO image_id_spans (span, newest, oldest)
       SELECT id >> ${SPAN_SHIFT}, max(created_at), min(created_at) FROM images GROUP BY 1`,
    )
    .execute(db);

  const triggers = [
    `CREATE TRIGGER images_counters_insert AFTER INSERT ON images BEGIN
       ${addFacet('new')} ${addDay('new')} ${widenSpan}
     END`,
    `CREATE TRIGGER images_counters_delete AFTER DELETE ON images BEGIN
       ${removeFacet('old')} ${removeDay('old')}
     END`,
    `CREATE TRIGGER images_facets_update
     AFTER UPDATE OF deleted_at, sync_state, favourite, rating, model_name, sampler, width, height, companion_id ON images
     WHEN ${facetChanged} BEGIN
       ${removeFacet('old')} ${addFacet('new')}
     END`,
    `CREATE TRIGGER images_days_update AFTER UPDATE OF created_at, deleted_at ON images
     WHEN old.created_at IS NOT new.created_at OR (old.deleted_at IS NULL) IS NOT (new.deleted_at IS NULL) BEGIN
       ${removeDay('old')} ${addDay('new')}
     END`,
    `CREATE TRIGGER images_spans_update AFTER UPDATE OF created_at ON images WHEN old.created_at IS NOT new.created_at BEGIN
       ${widenSpan}
     END`,
  ];
  for (const trigger of triggers) await sql.raw(trigger).execute(db);

  // The favourites view with each of its sorts, as the published images have (006): a favourite filter alone
  // or with another one reads its page from the head of one of these instead of sorting every favourite.
  const favourite = sql<boolean>`deleted_at IS NULL AND favourite = 1`;
  for (const column of ['likes', 'tokens_spent', 'rating']) {
    await db.schema.createIndex(`images_favourite_${column}`).on('images').columns([column, 'id']).where(favourite).execute();
  }

  await db.schema
    .createIndex('jobs_finished_recent')
    .on('jobs')
    .columns(['updated_at', 'id'])
    .where(sql<boolean>`status IN ('done', 'failed', 'cancelled')`)
    .execute();
}
