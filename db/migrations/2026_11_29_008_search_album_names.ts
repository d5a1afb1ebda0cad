/**
 * Album names leave the images' search rows for an index of their own. Until now every membership change (and
 * every rename) rewrote the full-text row of each image concerned, so adding 10,000 images to an album rewrote
 * 10,000 rows of `images_fts`. Now `albums_fts` holds one row per album, and a search turns an album-name match
 * into the album's members at query time (db/matches.ts): adding, removing and renaming touch no image row.
 * Frozen in time: it imports nothing of the app and types the database as unknown.
 *
 * - `images_fts` keeps its `albums` column (an FTS5 table cannot drop one without a rebuild of every row); it
 *   is emptied here and stays empty, and its rank weights are unchanged.
 * - `albums_fts` folds accents and splits words as `images_fts` does, so a name matches the same words; it is
 *   contentless (the names live in `albums`) and kept in step by triggers on `albums` alone.
 */
import { sql, type Kysely } from 'kysely';

/** Recomputes the search rows of the images matching `where` from their current prompt and tags. */
const refreshRows = (where: string) => `
  INSERT OR REPLACE INTO images_fts (rowid, prompt, negative_prompt, tags, albums)
  SELECT i.id, i.prompt, i.negative_prompt,
    coalesce((SELECT group_concat(t.name, ' ') FROM image_tags it JOIN tags t ON t.id = it.tag_id
              WHERE it.image_id = i.id), ''),
    ''
  FROM images i WHERE ${where};`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const replaced = [
    'album_images_fts_insert',
    'album_images_fts_delete',
    'albums_fts_rename',
    'images_fts_update',
    'image_tags_fts_insert',
    'image_tags_fts_delete',
    'tags_fts_rename',
  ];
  for (const trigger of replaced) await sql.raw(`DROP TRIGGER ${trigger}`).execute(db);

  await sql`CREATE VIRTUAL TABLE albums_fts USING fts5(
    name, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
  )`.execute(db);
  await sql`INSERT INTO albums_fts (rowid, name) SELECT id, name FROM albums`.execute(db);
  // The images that had album names in their row, once, without them.
  await sql.raw(refreshRows('i.id IN (SELECT image_id FROM album_images)')).execute(db);

  const triggers = [
    `CREATE TRIGGER images_fts_update AFTER UPDATE OF prompt, negative_prompt ON images BEGIN
       ${refreshRows('i.id = new.id')}
     END`,
    `CREATE TRIGGER image_tags_fts_insert AFTER INSERT ON image_tags BEGIN ${refreshRows('i.id = new.image_id')} END`,
    `CREATE TRIGGER image_tags_fts_delete AFTER DELETE ON image_tags BEGIN ${refreshRows('i.id = old.image_id')} END`,
    `CREATE TRIGGER tags_fts_rename AFTER UPDATE OF name ON tags BEGIN
       ${refreshRows('i.id IN (SELECT image_id FROM image_tags WHERE tag_id = new.id)')}
     END`,
    `CREATE TRIGGER albums_fts_insert AFTER INSERT ON albums BEGIN
       INSERT INTO albums_fts (rowid, name) VALUES (new.id, new.name);
     END`,
    `CREATE TRIGGER albums_fts_rename AFTER UPDATE OF name ON albums BEGIN
       INSERT OR REPLACE INTO albums_fts (rowid, name) VALUES (new.id, new.name);
     END`,
    `CREATE TRIGGER albums_fts_delete AFTER DELETE ON albums BEGIN
       DELETE FROM albums_fts WHERE rowid = old.id;
     END`,
  ];
  for (const trigger of triggers) await sql.raw(trigger).execute(db);
}
