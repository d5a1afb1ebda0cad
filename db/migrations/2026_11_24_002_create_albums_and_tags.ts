/**
 * Albums with ordered members, smart albums (a saved search), and tags.
 * Frozen in time: it imports nothing of the app and types the database as unknown.
 * Deleting an album deletes its memberships, never its images; deleting an image drops it from albums and
 * clears it as a cover.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('albums')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(trim(name)) > 0`))
    .addColumn('cover_image_id', 'integer', (c) => c.references('images.id').onDelete('set null'))
    .addColumn('smart_query', 'text')
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('albums_name').on('albums').column('name').execute();

  await db.schema
    .createTable('album_images')
    .addColumn('album_id', 'integer', (c) => c.notNull().references('albums.id').onDelete('cascade'))
    .addColumn('image_id', 'integer', (c) => c.notNull().references('images.id').onDelete('cascade'))
    .addColumn('position', 'real', (c) => c.notNull())
    .addColumn('added_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('album_images_pk', ['album_id', 'image_id'])
    .modifyEnd(sql`WITHOUT ROWID`)
    .execute();
  await db.schema
    .createIndex('album_images_order')
    .on('album_images')
    .columns(['album_id', 'position', 'image_id'])
    .execute();
  await db.schema.createIndex('album_images_image').on('album_images').column('image_id').execute();

  await db.schema
    .createTable('tags')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().modifyEnd(sql`COLLATE NOCASE`).unique().check(sql`length(trim(name)) > 0`))
    .execute();

  await db.schema
    .createTable('image_tags')
    .addColumn('image_id', 'integer', (c) => c.notNull().references('images.id').onDelete('cascade'))
    .addColumn('tag_id', 'integer', (c) => c.notNull().references('tags.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('image_tags_pk', ['image_id', 'tag_id'])
    .modifyEnd(sql`WITHOUT ROWID`)
    .execute();
  await db.schema.createIndex('image_tags_tag').on('image_tags').columns(['tag_id', 'image_id']).execute();
}
