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
      const [a = 0, b = 0] = await insertRows(library, [syntheticRow(1), syntheticRow(2)]);
      const album = await createAlbum(library.db, { name: 'Cover' });
      await addToAlbum(library.db, album.id, { ids: [a] });
      await setAlbumCover(library.db, album.id, a);
      expect((await getAlbum(library.db, album.id)).coverImageId).toBe(a);
      await expect(setAlbumCover(library.db, album.id, b)).rejects.toMatchObject({ code: 'NOT_FOUND' });
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
