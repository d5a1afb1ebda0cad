/**
 * Full-text search: a contentless FTS5 index over prompt, negative prompt, tags and album names, kept in step
 * by triggers so that no write path can forget it.
 * Frozen in time: it imports nothing of the app and types the database as unknown.
 *
 * - `remove_diacritics 2` folds accents, so "fete" finds "fête" (French prompts).
 * - `prefix '2 3'` keeps prefix queries ("cyber*") fast at a million rows.
 * - Contentless (`content=''`) because the text already lives in `images`, tags and albums; storing it twice
 *   would double the index's size. `contentless_delete=1` lets the triggers replace and delete rows.
 * - The default rank weighs the columns (prompt, negative prompt, tags, albums).
 */
import { sql, type Kysely } from 'kysely';

/** Recomputes the search rows of the images matching `where` from their current prompt, tags and albums. */
const refreshRows = (where: string) => `
  INSERT OR REPLACE INTO images_fts (rowid, prompt, negative_prompt, tags, albums)
  SELECT i.id, i.prompt, i.negative_prompt,
    coalesce((SELECT group_concat(t.name, ' ') FROM image_tags it JOIN tags t ON t.id = it.tag_id
              WHERE it.image_id = i.id), ''),
    coalesce((SELECT group_concat(a.name, ' ') FROM album_images ai JOIN albums a ON a.id = ai.album_id
              WHERE ai.image_id = i.id), '')
  FROM images i WHERE ${where};`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE VIRTUAL TABLE images_fts USING fts5(
    prompt, negative_prompt, tags, albums,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
  )`.execute(db);
  // Relevance: a word of the prompt or a tag counts far more than one of the negative prompt.
  await sql`INSERT INTO images_fts (images_fts, rank) VALUES ('rank', 'bm25(10.0, 0.5, 5.0, 3.0)')`.execute(db);

  const triggers = [
    `CREATE TRIGGER images_fts_insert AFTER INSERT ON images BEGIN
       INSERT INTO images_fts (rowid, prompt, negative_prompt, tags, albums)
       VALUES (new.id, new.prompt, new.negative_prompt, '', '');
     END`,
    `CREATE TRIGGER images_fts_update AFTER UPDATE OF prompt, negative_prompt ON images BEGIN
       ${refreshRows('i.id = new.id')}
     END`,
    `CREATE TRIGGER images_fts_delete AFTER DELETE ON images BEGIN
       DELETE FROM images_fts WHERE rowid = old.id;
     END`,
    `CREATE TRIGGER image_tags_fts_insert AFTER INSERT ON image_tags BEGIN ${refreshRows('i.id = new.image_id')} END`,
    `CREATE TRIGGER image_tags_fts_delete AFTER DELETE ON image_tags BEGIN ${refreshRows('i.id = old.image_id')} END`,
    `CREATE TRIGGER album_images_fts_insert AFTER INSERT ON album_images BEGIN ${refreshRows('i.id = new.image_id')} END`,
    `CREATE TRIGGER album_images_fts_delete AFTER DELETE ON album_images BEGIN ${refreshRows('i.id = old.image_id')} END`,
    `CREATE TRIGGER albums_fts_rename AFTER UPDATE OF name ON albums BEGIN
       ${refreshRows('i.id IN (SELECT image_id FROM album_images WHERE album_id = new.id)')}
     END`,
    `CREATE TRIGGER tags_fts_rename AFTER UPDATE OF name ON tags BEGIN
       ${refreshRows('i.id IN (SELECT image_id FROM image_tags WHERE tag_id = new.id)')}
     END`,
  ];
  for (const trigger of triggers) await sql.raw(trigger).execute(db);
}
