import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  addToAlbum,
  createAlbum,
  deleteAlbum,
  getAlbum,
  listAlbumImages,
  listAlbums,
  removeFromAlbum,
  renameAlbum,
  reorderAlbum,
  setAlbumCover,
  setSmartFilters,
} from '../../../db/albums';
import { countImages, listImages, setFavourite, trashImages } from '../../../db/images';
import type { Library } from '../../../db/library';
import { toFtsQuery } from '../../../db/search';
import { insertRows, syntheticRow, withLibrary } from './helpers';

async function order(library: Library, albumId: number): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await listAlbumImages(library.db, albumId, { limit: 3, ...(cursor === undefined ? {} : { cursor }) });
    ids.push(...page.items.map((i) => i.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return ids;
}

describe('albums', () => {
  it('creates, renames, lists and deletes albums; deleting keeps the images', () =>
    withLibrary(async (library) => {
      const ids = await insertRows(library, [syntheticRow(1), syntheticRow(2)]);
      const trips = await createAlbum(library.db, { name: '  Trips ' });
      expect(trips).toMatchObject({ name: 'Trips', imageCount: 0, smartFilters: null });
      expect(await addToAlbum(library.db, trips.id, { ids })).toBe(2);
      expect(await addToAlbum(library.db, trips.id, { ids })).toBe(0);
      await renameAlbum(library.db, trips.id, 'Voyages en été');
      expect((await listImages(library.db, { filters: { text: 'ete' }, sort: 'relevance' })).items).toHaveLength(2);
      expect(await listAlbums(library.db)).toMatchObject([{ id: trips.id, name: 'Voyages en été', imageCount: 2 }]);
      await deleteAlbum(library.db, trips.id);
      expect(await listAlbums(library.db)).toEqual([]);
      expect(await countImages(library.db)).toBe(2);
      await expect(getAlbum(library.db, trips.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(createAlbum(library.db, { name: ' ' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }));

  it('keeps the order images were added in, reorders, removes, and pages by position', () =>
    withLibrary(async (library) => {
      const [a = 0, b = 0, c = 0, d = 0, e = 0] = await insertRows(library, [1, 2, 3, 4, 5].map((n) => syntheticRow(n)));
      const album = await createAlbum(library.db, { name: 'Order' });
      await addToAlbum(library.db, album.id, { ids: [c, a, e, b, d] });
      expect(await order(library, album.id)).toEqual([c, a, e, b, d]);
      await reorderAlbum(library.db, album.id, [b, d], a);
      expect(await order(library, album.id)).toEqual([c, b, d, a, e]);
      await reorderAlbum(library.db, album.id, [c], null);
      expect(await order(library, album.id)).toEqual([b, d, a, e, c]);
      await reorderAlbum(library.db, album.id, [e], b);
      expect(await order(library, album.id)).toEqual([e, b, d, a, c]);
      await removeFromAlbum(library.db, album.id, { ids: [d] });
      expect(await order(library, album.id)).toEqual([e, b, a, c]);
      await trashImages(library.db, { ids: [b] });
      expect(await order(library, album.id)).toEqual([e, a, c]);
      await expect(reorderAlbum(library.db, album.id, [d], a)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(reorderAlbum(library.db, album.id, [a], a)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }));

  it('survives many moves into the same gap by renumbering', () =>
    withLibrary(async (library) => {
      const ids = await insertRows(library, Array.from({ length: 6 }, (_, n) => syntheticRow(n)));
      const album = await createAlbum(library.db, { name: 'Squeeze' });
      await addToAlbum(library.db, album.id, { ids });
      const [first = 0, second = 0, , , fifth = 0, sixth = 0] = ids;
      // Alternately drop two images just before `second`: each move halves the gap.
      for (let round = 0; round < 80; round++) await reorderAlbum(library.db, album.id, [round % 2 === 0 ? fifth : sixth], second);
      const result = await order(library, album.id);
      expect(result.slice(0, 1)).toEqual([first]);
      expect(result.slice(1, 3).sort()).toEqual([fifth, sixth].sort());
      expect(result[3]).toBe(second);
      expect(result).toHaveLength(6);
    }));

  it('adds 10,000 images in one call in the order given', () =>
    withLibrary(async (library) => {
      const ids = await insertRows(library, Array.from({ length: 10_000 }, (_, n) => syntheticRow(n)));
      const album = await createAlbum(library.db, { name: 'Big' });
      const reversed = [...ids].reverse();
      expect(await addToAlbum(library.db, album.id, { ids: reversed })).toBe(10_000);
      const page = await listAlbumImages(library.db, album.id, { limit: 5 });
      expect(page.items.map((i) => i.id)).toEqual(reversed.slice(0, 5));
      expect((await getAlbum(library.db, album.id)).imageCount).toBe(10_000);
      expect(await removeFromAlbum(library.db, album.id, { filters: { albumId: album.id } })).toBe(10_000);
    }));

  it('sets a cover only from the album, and clears it when the image goes', () =>
    withLibrary(async (library) => {
      const [a = 0, b = 0] = await insertRows(library, [syntheticRow(1, { thumbnail_path: 'thumbnails/ab/ab12.webp' }), syntheticRow(2)]);
      const album = await createAlbum(library.db, { name: 'Cover' });
      await addToAlbum(library.db, album.id, { ids: [a] });
      await setAlbumCover(library.db, album.id, a);
      const thumbnail = 'thumbnails/ab/ab12.webp';
      expect(await getAlbum(library.db, album.id)).toMatchObject({ coverImageId: a, coverThumbnailPath: thumbnail });
      expect((await listAlbums(library.db)).find((x) => x.id === album.id)).toMatchObject({ coverImageId: a, coverThumbnailPath: thumbnail });
      await expect(setAlbumCover(library.db, album.id, b)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      // A cover in the trash shows no thumbnail; restored, it does again.
      await library.db.updateTable('images').set({ deleted_at: 1 }).where('id', '=', a).execute();
      expect(await getAlbum(library.db, album.id)).toMatchObject({ coverImageId: a, coverThumbnailPath: null });
      await library.db.updateTable('images').set({ deleted_at: null }).where('id', '=', a).execute();
      await library.db.deleteFrom('images').where('id', '=', a).execute();
      expect((await getAlbum(library.db, album.id)).coverImageId).toBeNull();
    }));

  it('defines smart albums by a saved search that follows the library', () =>
    withLibrary(async (library) => {
      const ids = await insertRows(library, [
        syntheticRow(1, { prompt: 'red fox', model_name: 'a' }),
        syntheticRow(2, { prompt: 'red fox', model_name: 'b' }),
        syntheticRow(3, { prompt: 'grey wolf', model_name: 'a' }),
      ]);
      const smart = await createAlbum(library.db, { name: 'Foxes on A', smartFilters: { text: 'fox', models: ['a'] } });
      expect(smart.imageCount).toBeNull();
      expect((await listAlbumImages(library.db, smart.id)).items.map((i) => i.seed)).toEqual([1]);
      await library.db.updateTable('images').set({ model_name: 'a' }).where('id', '=', ids[1] ?? 0).execute();
      expect(await countImages(library.db, { albumId: smart.id })).toBe(2);
      await setFavourite(library.db, { ids: [ids[0] ?? 0] }, true);
      expect(await countImages(library.db, { albumId: smart.id, favourite: true })).toBe(1);
      await setSmartFilters(library.db, smart.id, { text: 'wolf' });
      expect((await listAlbumImages(library.db, smart.id)).items.map((i) => i.seed)).toEqual([3]);
      await expect(addToAlbum(library.db, smart.id, { ids })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await expect(createAlbum(library.db, { name: 'bad', smartFilters: { colour: 'red' } as never })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }));
});

describe('searching by album name', () => {
  const vocabulary = ['castle', 'fox', 'sea', 'summer', 'forest', 'night', 'europe', 'tower'];
  const albumNames = ['Summer trips', 'Castles of Europe', 'Forêt noire'];

  /** Every id a search matches, through each way the gallery reads a search. */
  async function searched(library: Library, text: string): Promise<{ newest: number[]; relevance: number[]; count: number; capped: number }> {
    const newest = (await listImages(library.db, { filters: { text }, sort: 'newest', limit: 1000 })).items.map((i) => i.id);
    const relevance = (await listImages(library.db, { filters: { text }, sort: 'relevance', limit: 1000 })).items.map((i) => i.id);
    return { newest, relevance: relevance.sort((a, b) => b - a), count: await countImages(library.db, { text }), capped: await countImages(library.db, { text }, { upTo: 5 }) };
  }

  it('finds what one search row holding the album names found, for words, phrases, prefixes and exclusions', () =>
    withLibrary(async (library) => {
      const rows = Array.from({ length: 90 }, (_, n) =>
        syntheticRow(n, { prompt: `${vocabulary[n % 8] ?? ''} ${vocabulary[(n * 3) % 7] ?? ''} image ${n}`, negative_prompt: n % 9 === 0 ? 'summer' : '' }),
      );
      const ids = await insertRows(library, rows);
      const albums = [];
      for (const name of albumNames) albums.push(await createAlbum(library.db, { name }));
      await addToAlbum(library.db, albums[0]?.id ?? 0, { ids: ids.filter((id) => id % 3 === 0) });
      await addToAlbum(library.db, albums[1]?.id ?? 0, { ids: ids.filter((id) => id % 4 === 0) });
      await addToAlbum(library.db, albums[2]?.id ?? 0, { ids: ids.filter((id) => id % 10 === 1) });
      await createAlbum(library.db, { name: 'Empty sea' });
      await trashImages(library.db, { ids: ids.filter((id) => id % 7 === 0) });

      // The design before migration 008, as the reference: album names in each image's own row.
      const reference = new SQLite(':memory:');
      reference.exec("CREATE VIRTUAL TABLE old USING fts5(prompt, negative_prompt, tags, albums, tokenize = 'unicode61 remove_diacritics 2')");
      const insert = reference.prepare('INSERT INTO old (rowid, prompt, negative_prompt, tags, albums) VALUES (?, ?, ?, ?, ?)');
      for (const image of await library.db.selectFrom('images').select(['id', 'prompt', 'negative_prompt']).where('deleted_at', 'is', null).execute()) {
        const names = await library.db
          .selectFrom('album_images')
          .innerJoin('albums', 'albums.id', 'album_images.album_id')
          .select('albums.name')
          .where('album_images.image_id', '=', image.id)
          .execute();
        insert.run(image.id, image.prompt, image.negative_prompt, '', names.map((a) => a.name).join(' '));
      }
      const texts = ['summer', 'trips', 'summer trips', '"summer trips"', 'castle', 'castles', 'castle*', 'castle summer', 'castle -summer',
        'fox -castles', 'foret', 'sum*', 'europe fox', '-fox castle', 'noire -trips -europe', 'sea', 'empty', '"of europe" tower'];
      for (const text of texts) {
        const expected = (reference.prepare('SELECT rowid AS id FROM old WHERE old MATCH ? ORDER BY rowid DESC').all(toFtsQuery(text)) as { id: number }[]).map((r) => r.id);
        const found = await searched(library, text);
        expect(found.newest.slice().sort((a, b) => b - a), text).toEqual(expected);
        expect(found.relevance, text).toEqual(expected);
        expect(found.count, text).toBe(expected.length);
        expect(found.capped, text).toBe(Math.min(5, expected.length));
      }
      expect((await searched(library, 'trips')).count).toBeGreaterThan(10);
      reference.close();
    }));

  it('follows a rename, a removal and a deletion at once, and combines with other filters', () =>
    withLibrary(async (library) => {
      const ids = await insertRows(library, Array.from({ length: 20 }, (_, n) => syntheticRow(n, { prompt: n < 10 ? 'a red fox' : 'a castle' })));
      const album = await createAlbum(library.db, { name: 'Holiday' });
      await addToAlbum(library.db, album.id, { ids: ids.slice(5, 15) });
      expect((await searched(library, 'holiday')).newest).toEqual(ids.slice(5, 15).reverse());
      expect((await searched(library, 'holiday fox')).newest).toEqual(ids.slice(5, 10).reverse());
      await setFavourite(library.db, { ids: ids.slice(0, 8) }, true);
      expect(await countImages(library.db, { text: 'holiday', favourite: true })).toBe(3);

      await renameAlbum(library.db, album.id, 'Vacances');
      expect((await searched(library, 'holiday')).count).toBe(0);
      expect((await searched(library, 'vacances')).newest).toEqual(ids.slice(5, 15).reverse());
      await removeFromAlbum(library.db, album.id, { ids: ids.slice(5, 10) });
      expect((await searched(library, 'vacances')).newest).toEqual(ids.slice(10, 15).reverse());
      await deleteAlbum(library.db, album.id);
      expect((await searched(library, 'vacances')).count).toBe(0);
    }));

  it('adds 10,000 images to an album in one call that writes only their memberships', () =>
    withLibrary(async (library) => {
      const ids = await insertRows(library, Array.from({ length: 10_000 }, (_, n) => syntheticRow(n)));
      const album = await createAlbum(library.db, { name: 'Everything' });
      // total_changes counts every row a statement writes, triggers (and FTS5's own tables) included.
      const changes = () => library.sqlite.prepare('SELECT total_changes() AS n').get() as { n: number };
      const before = changes().n;
      expect(await addToAlbum(library.db, album.id, { ids })).toBe(10_000);
      // 10,000 memberships and the album's updated_at; no image's search row.
      expect(changes().n - before).toBe(10_001);
      expect(await countImages(library.db, { text: 'everything' })).toBe(10_000);
      expect(await countImages(library.db, { text: 'everything image' }, { upTo: 100 })).toBe(100);
    }));
});
