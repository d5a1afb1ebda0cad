/**
 * The images table and the indexes behind every filter and sort of the gallery.
 * Frozen in time: it imports nothing of the app and types the database as unknown.
 *
 * Most indexes are partial on `deleted_at IS NULL` because every gallery query excludes the trash; the trash
 * view has its own small index. Each sort index ends in `id` so that keyset pagination has a total order.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('images')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('content_hash', 'text', (c) => c.notNull().unique())
    .addColumn('file_path', 'text', (c) => c.notNull().unique())
    .addColumn('thumbnail_path', 'text')
    .addColumn('format', 'text', (c) => c.notNull().check(sql`format IN ('png', 'jpeg', 'webp')`))
    .addColumn('file_size', 'integer', (c) => c.notNull())
    .addColumn('prompt', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('negative_prompt', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('model_name', 'text')
    .addColumn('model_hash', 'text')
    .addColumn('sampler', 'text')
    .addColumn('steps', 'integer')
    .addColumn('guidance', 'real')
    .addColumn('seed', 'integer')
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('imported_at', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) =>
      c.notNull().check(sql`source IN ('studio', 'a1111', 'comfyui', 'invokeai', 'fooocus', 'unknown')`),
    )
    .addColumn('metadata_json', 'text')
    .addColumn('favourite', 'integer', (c) => c.notNull().defaultTo(0).check(sql`favourite IN (0, 1)`))
    .addColumn('rating', 'integer', (c) => c.notNull().defaultTo(0).check(sql`rating BETWEEN 0 AND 5`))
    .addColumn('companion_id', 'text')
    .addColumn('sync_state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('local')
        .check(sql`sync_state IN ('local', 'queued', 'publishing', 'published', 'failed')`),
    )
    .addColumn('remote_id', 'text')
    .addColumn('likes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('tokens_spent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deleted_at', 'integer')
    .addColumn('missing_at', 'integer')
    .execute();

  const live = sql<boolean>`deleted_at IS NULL`;
  await db.schema.createIndex('images_created').on('images').columns(['created_at', 'id']).where(live).execute();
  await db.schema
    .createIndex('images_model_created')
    .on('images')
    .columns(['model_name', 'created_at', 'id'])
    .where(live)
    .execute();
  await db.schema
    .createIndex('images_sampler_created')
    .on('images')
    .columns(['sampler', 'created_at', 'id'])
    .where(live)
    .execute();
  await db.schema
    .createIndex('images_favourite_created')
    .on('images')
    .columns(['created_at', 'id'])
    .where(sql<boolean>`deleted_at IS NULL AND favourite = 1`)
    .execute();
  await db.schema
    .createIndex('images_companion_created')
    .on('images')
    .columns(['companion_id', 'created_at', 'id'])
    .where(sql<boolean>`deleted_at IS NULL AND companion_id IS NOT NULL`)
    .execute();
  await db.schema
    .createIndex('images_published_created')
    .on('images')
    .columns(['created_at', 'id'])
    .where(sql<boolean>`deleted_at IS NULL AND sync_state = 'published'`)
    .execute();
  await db.schema.createIndex('images_rating').on('images').columns(['rating', 'id']).where(live).execute();
  await db.schema.createIndex('images_likes').on('images').columns(['likes', 'id']).where(live).execute();
  await db.schema.createIndex('images_tokens').on('images').columns(['tokens_spent', 'id']).where(live).execute();
  await db.schema
    .createIndex('images_trash')
    .on('images')
    .columns(['deleted_at', 'id'])
    .where(sql<boolean>`deleted_at IS NOT NULL`)
    .execute();
}
