/**
 * The publishing outbox: one row per publish request, driven through its states by the sync worker.
 * Frozen in time: it imports nothing of the app and types the database as unknown.
 *
 * The idempotency key is unique so that a retried request can never create a second publication or a second
 * charge; an image with an outbox row cannot be deleted (RESTRICT) because tokens may have been spent on it.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('outbox')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('image_id', 'integer', (c) => c.notNull().references('images.id').onDelete('restrict'))
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`state IN ('pending', 'moderated', 'charged', 'uploaded', 'registered', 'published', 'refunding', 'refunded', 'failed')`,
        ),
    )
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('companion_id', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('remote_image_id', 'text')
    .addColumn('remote_upload_id', 'text')
    .addColumn('tokens_charged', 'integer', (c) => c.notNull().defaultTo(0).check(sql`tokens_charged >= 0`))
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('outbox_image').on('outbox').column('image_id').execute();
}
