import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../db/connection';
import { LibraryError } from '../../../db/errors';
import { MIGRATIONS } from '../../../db/migrations/index';
import type { AlbumImagesTable, AlbumsTable, ImageTagsTable, ImagesTable, JobsTable, OutboxTable, TagsTable } from '../../../db/schema';

let sqlite: SQLite.Database;
let db: Kysely<unknown>;

async function migrateTo(name: string): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) } });
  const { error } = await migrator.migrateTo(name);
  expect(error).toBeUndefined();
}

const run = (statement: string, ...params: unknown[]) => sqlite.prepare(statement).run(...params);
const all = (statement: string, ...params: unknown[]) => sqlite.prepare(statement).all(...params);

function insertImage(id: number, extra: Record<string, unknown> = {}): void {
  const row = {
    id,
    content_hash: `h${id}`,
    file_path: `originals/${id}.png`,
    format: 'png',
    file_size: 1,
    width: 8,
    height: 8,
    created_at: id,
    imported_at: id,
    source: 'studio',
    prompt: `prompt ${id}`,
    ...extra,
  };
  const keys = Object.keys(row);
  run(`INSERT INTO images (${keys.join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`, ...Object.values(row));
}

beforeEach(() => {
  sqlite = new SQLite(':memory:');
  sqlite.pragma('foreign_keys = ON');
  db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
});
afterEach(async () => {
  await db.destroy();
});

describe('migrations', () => {
  it('names sort in the order they are listed', () => {
    const names = Object.keys(MIGRATIONS);
    expect([...names].sort()).toEqual(names);
  });

  it('001 creates images with checked columns and partial indexes the gallery queries use', async () => {
    await migrateTo('2026_11_24_001_create_images');
    insertImage(1);
    expect(() => insertImage(2, { rating: 6 })).toThrow(/CHECK/);
    expect(() => insertImage(3, { content_hash: 'h1' })).toThrow(/UNIQUE/);
    expect(() => insertImage(4, { source: 'midjourney' })).toThrow(/CHECK/);
    const plan = all(
      'EXPLAIN QUERY PLAN SELECT id FROM images WHERE deleted_at IS NULL AND favourite = 1 ORDER BY created_at DESC, id DESC LIMIT 100',
    ) as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('images_favourite_created');
  });

  it('002 creates albums whose deletion keeps images, and images whose deletion leaves albums', async () => {
    await migrateTo('2026_11_24_002_create_albums_and_tags');
    insertImage(1);
    insertImage(2);
    run("INSERT INTO albums (id, name, cover_image_id, created_at, updated_at) VALUES (1, 'Trips', 2, 0, 0)");
    run('INSERT INTO album_images (album_id, image_id, position, added_at) VALUES (1, 1, 1, 0), (1, 2, 2, 0)');
    run("INSERT INTO tags (id, name) VALUES (1, 'Sky')");
    expect(() => run("INSERT INTO tags (name) VALUES ('sky')")).toThrow(/UNIQUE/);
    run('DELETE FROM images WHERE id = 2');
    expect(all('SELECT cover_image_id FROM albums')).toEqual([{ cover_image_id: null }]);
    run('DELETE FROM albums WHERE id = 1');
    expect(all('SELECT count(*) AS n FROM album_images')).toEqual([{ n: 0 }]);
    expect(all('SELECT id FROM images')).toEqual([{ id: 1 }]);
  });

  it('003 keeps the search index in step with prompts, tags and album names, folding accents', async () => {
    await migrateTo('2026_11_24_003_create_search');
    const match = (q: string) => (all('SELECT rowid AS id FROM images_fts WHERE images_fts MATCH ? ORDER BY rowid', q) as { id: number }[]).map((r) => r.id);
    insertImage(1, { prompt: 'Une fête élégante', negative_prompt: 'flou' });
    insertImage(2, { prompt: 'a castle' });
    expect(match('fete')).toEqual([1]);
    expect(match('elég*')).toEqual([1]);
    run('UPDATE images SET prompt = ? WHERE id = 2', 'a ruined castle');
    expect(match('ruined')).toEqual([2]);
    run("INSERT INTO tags (id, name) VALUES (1, 'holiday')");
    run('INSERT INTO image_tags (image_id, tag_id) VALUES (2, 1)');
    expect(match('holiday')).toEqual([2]);
    run("UPDATE tags SET name = 'vacances' WHERE id = 1");
    expect(match('holiday')).toEqual([]);
    expect(match('vacances')).toEqual([2]);
    run("INSERT INTO albums (id, name, created_at, updated_at) VALUES (1, 'Été', 0, 0)");
    run('INSERT INTO album_images (album_id, image_id, position, added_at) VALUES (1, 1, 1, 0)');
    expect(match('ete')).toEqual([1]);
    run("UPDATE albums SET name = 'Hiver' WHERE id = 1");
    expect(match('ete')).toEqual([]);
    expect(match('hiver')).toEqual([1]);
    run('DELETE FROM albums WHERE id = 1');
    expect(match('hiver')).toEqual([]);
    run('DELETE FROM images WHERE id = 1');
    expect(match('fete')).toEqual([]);
    expect(match('castle')).toEqual([2]);
  });

  it('004 creates the jobs table with a checked status and JSON request', async () => {
    await migrateTo('2026_11_24_004_create_jobs');
    run("INSERT INTO jobs (status, position, request_json, created_at, updated_at) VALUES ('queued', 1, '{}', 0, 0)");
    expect(() => run("INSERT INTO jobs (status, position, request_json, created_at, updated_at) VALUES ('paused', 1, '{}', 0, 0)")).toThrow(/CHECK/);
    expect(() => run("INSERT INTO jobs (status, position, request_json, created_at, updated_at) VALUES ('queued', 1, '{', 0, 0)")).toThrow(/CHECK/);
  });

  it('005 creates the outbox with a unique idempotency key and images it protects from deletion', async () => {
    await migrateTo('2026_11_24_005_create_outbox');
    insertImage(1);
    const insert = (key: string) =>
      run(
        "INSERT INTO outbox (idempotency_key, image_id, state, visibility, next_attempt_at, created_at, updated_at) VALUES (?, 1, 'pending', 'public', 0, 0, 0)",
        key,
      );
    insert('k1');
    expect(() => insert('k1')).toThrow(/UNIQUE/);
    expect(() => run('DELETE FROM images WHERE id = 1')).toThrow(/FOREIGN KEY/);
  });

  it('006 lets the published-only sorts read their page straight from an index', async () => {
    await migrateTo('2026_11_24_006_index_published_sorts');
    for (const [column, index] of [['likes', 'images_published_likes'], ['tokens_spent', 'images_published_tokens']]) {
      const plan = all(
        `EXPLAIN QUERY PLAN SELECT id FROM images WHERE deleted_at IS NULL AND sync_state = 'published' ORDER BY ${column} DESC, id DESC LIMIT 100`,
      ) as { detail: string }[];
      const details = plan.map((p) => p.detail).join(' ');
      expect(details).toContain(index);
      expect(details).not.toContain('TEMP B-TREE');
    }
  });

  it('007 keeps facet counts, day counts and id-span bounds equal to what the images say, through every kind of write', async () => {
    await migrateTo('2026_11_24_006_index_published_sorts');
    const day = 86_400_000;
    // Rows from before the migration are counted by its backfill.
    insertImage(1, { created_at: 3 * day + 5, model_name: 'a', sampler: 'euler' });
    insertImage(2, { created_at: -day - 5, companion_id: 'mia' });
    await migrateTo('2026_11_29_007_gallery_counters');
    const recount = () => ({
      facets: all(`SELECT deleted_at IS NOT NULL AS trashed, sync_state = 'published' AS published, favourite, rating,
          coalesce(model_name, 0) AS model_name, coalesce(sampler, 0) AS sampler, width, height, coalesce(companion_id, 0) AS companion_id,
          count(*) AS images FROM images GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9`),
      days: all(`SELECT (created_at - ((created_at % ${day}) + ${day}) % ${day}) / ${day} AS day, count(*) AS images
          FROM images WHERE deleted_at IS NULL GROUP BY 1 ORDER BY 1`),
    });
    const counters = () => ({
      facets: all('SELECT * FROM image_facets WHERE images > 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9'),
      days: all('SELECT * FROM image_days WHERE images > 0 ORDER BY day'),
    });
    expect(counters()).toEqual(recount());
    expect(all('SELECT day FROM image_days ORDER BY day')).toEqual([{ day: -2 }, { day: 3 }]);

    for (let id = 3; id <= 600; id++) {
      insertImage(id, { created_at: id % 7 === 0 ? 5 : 1000 + id, model_name: id % 3 === 0 ? null : `m${id % 4}`, width: 8 + (id % 2) });
    }
    run('UPDATE images SET favourite = 1 WHERE id % 5 = 0');
    run('UPDATE images SET rating = 4, sync_state = ? WHERE id % 11 = 0', 'published');
    run('UPDATE images SET deleted_at = 1 WHERE id % 13 = 0');
    run('UPDATE images SET created_at = created_at + ? WHERE id % 17 = 0', 40 * day);
    run("UPDATE images SET model_name = 'renamed', companion_id = 'leo' WHERE id BETWEEN 100 AND 140");
    run('UPDATE images SET sync_state = ? WHERE id % 11 = 0', 'local');
    run('DELETE FROM images WHERE id % 19 = 0');
    expect(counters()).toEqual(recount());

    // Each span's bounds hold every image in it.
    const outside = all(`SELECT count(*) AS n FROM images JOIN image_id_spans ON span = images.id >> 8
        WHERE images.created_at > newest OR images.created_at < oldest`);
    expect(outside).toEqual([{ n: 0 }]);
    expect(all('SELECT count(*) AS n FROM images WHERE id >> 8 NOT IN (SELECT span FROM image_id_spans)')).toEqual([{ n: 0 }]);

    const plan = all(
      "EXPLAIN QUERY PLAN SELECT id FROM jobs INDEXED BY jobs_finished_recent WHERE status IN ('done', 'failed', 'cancelled') ORDER BY updated_at DESC, id DESC LIMIT 50",
    ) as { detail: string }[];
    const details = plan.map((p) => p.detail).join(' ');
    expect(details).toContain('jobs_finished_recent');
    expect(details).not.toContain('TEMP B-TREE');
  });

  it('008 moves album names to their own index, so that membership edits and renames leave the images\' search rows alone', async () => {
    await migrateTo('2026_11_29_007_gallery_counters');
    const match = (q: string) => (all('SELECT rowid AS id FROM images_fts WHERE images_fts MATCH ? ORDER BY rowid', q) as { id: number }[]).map((r) => r.id);
    const albumMatch = (q: string) => (all('SELECT rowid AS id FROM albums_fts WHERE albums_fts MATCH ? ORDER BY rowid', q) as { id: number }[]).map((r) => r.id);
    insertImage(1, { prompt: 'a castle' });
    insertImage(2, { prompt: 'a meadow' });
    run("INSERT INTO tags (id, name) VALUES (1, 'holiday')");
    run('INSERT INTO image_tags (image_id, tag_id) VALUES (1, 1)');
    run("INSERT INTO albums (id, name, created_at, updated_at) VALUES (1, 'Été', 0, 0), (2, 'Smart', 0, 0)");
    run('INSERT INTO album_images (album_id, image_id, position, added_at) VALUES (1, 1, 1, 0), (1, 2, 2, 0)');
    expect(match('ete')).toEqual([1, 2]);

    await migrateTo('2026_11_29_008_search_album_names');
    // Existing rows lose the album names they held; prompts and tags stay searchable.
    expect(match('ete')).toEqual([]);
    expect(match('holiday')).toEqual([1]);
    expect(match('castle')).toEqual([1]);
    expect(albumMatch('ete')).toEqual([1]);
    expect(albumMatch('smart')).toEqual([2]);

    // Memberships write their own rows and nothing else: total_changes counts trigger writes (and FTS5's own) too.
    const changes = () => (all('SELECT total_changes() AS n') as { n: number }[])[0]?.n ?? 0;
    const before = changes();
    run('DELETE FROM album_images WHERE album_id = 1');
    run('INSERT INTO album_images (album_id, image_id, position, added_at) VALUES (1, 1, 1, 0), (1, 2, 2, 0)');
    expect(changes() - before).toBe(4);
    // A rename re-indexes the name alone.
    const albumTriggers = all("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'albums'") as { sql: string }[];
    expect(albumTriggers).toHaveLength(3);
    expect(albumTriggers.filter((t) => t.sql.includes('images_fts'))).toEqual([]);
    run("UPDATE albums SET name = 'Hiver' WHERE id = 1");
    expect(albumMatch('ete')).toEqual([]);
    expect(albumMatch('hiver')).toEqual([1]);
    run("INSERT INTO albums (id, name, created_at, updated_at) VALUES (3, 'Forêt', 0, 0)");
    expect(albumMatch('foret')).toEqual([3]);
    run('DELETE FROM albums WHERE id = 1');
    expect(albumMatch('hiver')).toEqual([]);

    // Prompt and tag edits still refresh the image's row, without album names.
    run('UPDATE images SET prompt = ? WHERE id = 2', 'a ruined castle');
    expect(match('ruined')).toEqual([2]);
    run("UPDATE tags SET name = 'vacances' WHERE id = 1");
    expect(match('holiday')).toEqual([]);
    expect(match('vacances')).toEqual([1]);
    run('DELETE FROM image_tags');
    expect(match('vacances')).toEqual([]);
    expect(all("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'album_images'")).toEqual([]);
  });

  it('the schema types name exactly the columns the migrations create', async () => {
    await migrateTo(Object.keys(MIGRATIONS).at(-1) ?? '');
    const images: Record<keyof ImagesTable, true> = {
      id: true, content_hash: true, file_path: true, thumbnail_path: true, format: true, file_size: true, prompt: true,
      negative_prompt: true, model_name: true, model_hash: true, sampler: true, steps: true, guidance: true, seed: true,
      width: true, height: true, created_at: true, imported_at: true, source: true, metadata_json: true, favourite: true,
      rating: true, companion_id: true, sync_state: true, remote_id: true, likes: true, tokens_spent: true, deleted_at: true,
      missing_at: true,
    };
    const albums: Record<keyof AlbumsTable, true> = { id: true, name: true, cover_image_id: true, smart_query: true, created_at: true, updated_at: true };
    const albumImages: Record<keyof AlbumImagesTable, true> = { album_id: true, image_id: true, position: true, added_at: true };
    const tags: Record<keyof TagsTable, true> = { id: true, name: true };
    const imageTags: Record<keyof ImageTagsTable, true> = { image_id: true, tag_id: true };
    const jobs: Record<keyof JobsTable, true> = {
      id: true, status: true, position: true, attempts: true, error: true, request_json: true, result_json: true, created_at: true, updated_at: true,
    };
    const outbox: Record<keyof OutboxTable, true> = {
      id: true, idempotency_key: true, image_id: true, state: true, visibility: true, companion_id: true, attempts: true,
      next_attempt_at: true, last_error: true, remote_image_id: true, remote_upload_id: true, tokens_charged: true,
      created_at: true, updated_at: true,
    };
    const expected = { images, albums, album_images: albumImages, tags, image_tags: imageTags, jobs, outbox };
    for (const [table, columns] of Object.entries(expected)) {
      const actual = (all(`SELECT name FROM pragma_table_info('${table}')`) as { name: string }[]).map((c) => c.name).sort();
      expect(actual, table).toEqual(Object.keys(columns).sort());
    }
  });
});

describe('openDatabase', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'studio-db-'));
  });

  it('creates, migrates and reopens a database in WAL with foreign keys on', async () => {
    const file = path.join(dir, 'library.sqlite');
    const first = await openDatabase(file);
    await first.close();
    const second = await openDatabase(file);
    expect(second.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(second.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    const names = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(second.db);
    expect(names.rows.map((r) => r.name)).toEqual(Object.keys(MIGRATIONS));
    await second.close();
  });

  it('refuses a database written by a newer version, leaving it untouched', async () => {
    const file = path.join(dir, 'library.sqlite');
    await (await openDatabase(file)).close();
    const raw = new SQLite(file);
    raw.prepare("INSERT INTO kysely_migration (name, timestamp) VALUES ('2099_01_01_001_from_the_future', 'x')").run();
    raw.close();
    const error = await openDatabase(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LibraryError);
    expect(error).toMatchObject({ code: 'DB_TOO_NEW', details: { unknownMigrations: ['2099_01_01_001_from_the_future'] } });
  });

  it('reports a corrupt database with a recovery path and does not recreate it', async () => {
    const file = path.join(dir, 'library.sqlite');
    const garbage = Buffer.alloc(8192, 0x5a);
    await writeFile(file, garbage);
    const error = await openDatabase(file).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DB_CORRUPT' });
    expect((error as Error).message).toContain('studio library rebuild');
    expect((await readFile(file)).equals(garbage)).toBe(true);
  });
});
