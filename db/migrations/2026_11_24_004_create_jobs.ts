/**
 * The generation queue, persisted so that it survives restarts and crashes.
 * Frozen in time: it imports nothing of the app and types the database as unknown.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status IN ('queued', 'running', 'done', 'failed', 'cancelled')`),
    )
    .addColumn('position', 'real', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('request_json', 'text', (c) => c.notNull().check(sql`json_valid(request_json)`))
    .addColumn('result_json', 'text', (c) => c.check(sql`result_json IS NULL OR json_valid(result_json)`))
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_status_position').on('jobs').columns(['status', 'position', 'id']).execute();
}
