/**
 * Indexes for the two sorts that only published images have values for (likes, tokens spent). Without them the
 * planner filters to published images and sorts them all; with them the page is the first rows of an index.
 * Frozen in time: it imports nothing of the app and types the database as unknown.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const published = sql<boolean>`deleted_at IS NULL AND sync_state = 'published'`;
  await db.schema.createIndex('images_published_likes').on('images').columns(['likes', 'id']).where(published).execute();
  await db.schema.createIndex('images_published_tokens').on('images').columns(['tokens_spent', 'id']).where(published).execute();
}
