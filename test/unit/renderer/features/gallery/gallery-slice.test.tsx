// @vitest-environment jsdom
/** The gallery slice: keyset pages, stale replies, the selection's three modes and "select all", album sources. */
import { describe, expect, it } from 'vitest';
import type { Album, ImageSummary } from '../../../../../electron/contract';
import { effectiveFilters, FIRST_PAGE_SIZE, inAlbumOrder, mergeHead, PAGE_SIZE } from '../../../../../renderer/src/features/gallery/gallery-slice';
import { fakeStudio, image, settle } from '../../support';

/** A library of `count` images served newest first, in pages, with the cursor the real library would give. */
function library(count: number) {
  const all: ImageSummary[] = Array.from({ length: count }, (_, i) => image(count - i));
  return {
    listImages: async (input: { limit: number; cursor?: string | undefined }) => {
      const start = input.cursor === undefined ? 0 : Number(input.cursor);
      const items = all.slice(start, start + input.limit);
      return { items, nextCursor: start + input.limit < all.length ? String(start + input.limit) : null };
    },
    countImages: async () => ({ count: all.length }),
  };
}

const album = (patch: Partial<Album> = {}): Album => ({
  id: 7,
  name: 'Circles',
  coverImageId: null,
  coverThumbnailPath: null,
  smartFilters: null,
  createdAt: 1,
  updatedAt: 1,
  imageCount: 2,
  ...patch,
});

describe('gallery slice', () => {
  it('loads a short first page, then full pages with the cursor, until there are no more', async () => {
    const count = FIRST_PAGE_SIZE + PAGE_SIZE + 5;
    const studio = fakeStudio(library(count));
    await studio.store.getState().loadImages();
    await settle();
    let s = studio.store.getState();
    expect(s.items).toHaveLength(FIRST_PAGE_SIZE);
    expect(s.items[0]?.id).toBe(count);
    expect(s.total).toBe(count);
    await s.loadMore();
    await s.loadMore();
    s = studio.store.getState();
    expect(s.items).toHaveLength(count);
    expect(new Set(s.items.map((i) => i.id)).size).toBe(count);
    expect(s.nextCursor).toBeNull();
    const pages = studio.calls.filter((c) => c.name === 'listImages').map((c) => c.input as { cursor?: string; limit: number });
    expect(pages).toEqual([
      { filters: {}, sort: 'newest', limit: FIRST_PAGE_SIZE },
      { filters: {}, sort: 'newest', limit: PAGE_SIZE, cursor: String(FIRST_PAGE_SIZE) },
      { filters: {}, sort: 'newest', limit: PAGE_SIZE, cursor: String(FIRST_PAGE_SIZE + PAGE_SIZE) },
    ]);
  });

  it('drops a page that arrives for a query the user already replaced', async () => {
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const studio = fakeStudio({
      listImages: async (input) => {
        if (input.filters.text === 'old') await slow;
        return { items: [image(input.filters.text === 'old' ? 1 : 2)], nextCursor: null };
      },
      countImages: async () => ({ count: 1 }),
    });
    studio.store.getState().setFilters({ text: 'old' });
    studio.store.getState().setFilters({ text: 'new' });
    await settle();
    release();
    await settle();
    expect(studio.store.getState().items.map((i) => i.id)).toEqual([2]);
    expect(studio.store.getState().filters).toEqual({ text: 'new' });
  });

  it('selects by click, ctrl/cmd-click and shift-click, and "select all" edits through the filters', async () => {
    const studio = fakeStudio({ ...library(10), setFavourite: async (input) => ({ changed: 'ids' in input.selection ? input.selection.ids.length : 10 }) });
    await studio.store.getState().loadImages();
    const s = () => studio.store.getState();
    s().selectAt(2, 'replace');
    expect([...s().selected]).toEqual([8]);
    s().selectAt(5, 'range');
    expect([...s().selected].sort((a, b) => a - b)).toEqual([5, 6, 7, 8]);
    s().selectAt(9, 'toggle');
    s().selectAt(3, 'toggle');
    expect([...s().selected].sort((a, b) => a - b)).toEqual([1, 5, 6, 8]);
    expect(s().selection()).toEqual({ ids: expect.arrayContaining([1, 5, 6, 8]) });

    s().setFilters({ favourite: false });
    await settle();
    s().selectAll();
    expect(s().allSelected).toBe(true);
    expect(s().selection()).toEqual({ filters: { favourite: false } });
    await s().favouriteSelection(true);
    expect(studio.calls.at(-1)).toEqual({ name: 'setFavourite', input: { selection: { filters: { favourite: false } }, favourite: true } });
    s().clearSelection();
    expect(s().selection()).toBeNull();
  });

  it('keeps "no filter" as an absent key', async () => {
    const studio = fakeStudio(library(1));
    studio.store.getState().setFilters({ text: 'red', tag: '', models: [], minRating: 3 });
    expect(studio.store.getState().filters).toEqual({ text: 'red', minRating: 3 });
    studio.store.getState().setFilters({ text: undefined });
    expect(studio.store.getState().filters).toEqual({ minRating: 3 });
    await settle();
  });

  it('shows a regular album in its own order, and a smart album through its saved search', async () => {
    const studio = fakeStudio({
      ...library(3),
      listAlbumImages: async () => ({ items: [image(2), image(1)], nextCursor: null }),
    });
    studio.store.getState().showAlbum(album());
    await settle();
    expect(studio.calls.filter((c) => c.name === 'listAlbumImages')).toHaveLength(1);
    expect(studio.store.getState().items.map((i) => i.id)).toEqual([2, 1]);

    const source = { kind: 'album' as const, album: album() };
    expect(inAlbumOrder(source, {}, 'newest')).toBe(true);
    expect(inAlbumOrder(source, { text: 'red' }, 'newest')).toBe(false);
    expect(effectiveFilters(source, { text: 'red' })).toEqual({ text: 'red', albumId: 7 });
    const smart = { kind: 'album' as const, album: album({ smartFilters: { favourite: true, minRating: 2 }, imageCount: null }) };
    expect(inAlbumOrder(smart, {}, 'newest')).toBe(false);
    expect(effectiveFilters(smart, { minRating: 4 })).toEqual({ favourite: true, minRating: 4 });

    studio.store.getState().showAlbum(smart.album);
    await settle();
    expect(studio.calls.filter((c) => c.name === 'listImages').at(-1)?.input).toEqual({ filters: { favourite: true, minRating: 2 }, sort: 'newest', limit: FIRST_PAGE_SIZE });
  });

  it('reorders within a regular album, then reloads it', async () => {
    const studio = fakeStudio({
      ...library(3),
      listAlbumImages: async () => ({ items: [image(1), image(2), image(3)], nextCursor: null }),
      reorderAlbum: async () => ({}),
    });
    studio.store.getState().showAlbum(album());
    await settle();
    await studio.store.getState().reorderInAlbum([3], 1);
    expect(studio.calls.find((c) => c.name === 'reorderAlbum')?.input).toEqual({ albumId: 7, imageIds: [3], beforeImageId: 1 });
    expect(studio.calls.filter((c) => c.name === 'listAlbumImages')).toHaveLength(2);
  });

  it('refreshes the head of a long list in place, keeping what was loaded beyond it', () => {
    const old = Array.from({ length: 10 }, (_, i) => image(10 - i));
    // Image 11 arrived and 9 went to the trash: the refreshed page of 4 is 11, 10, 8, 7.
    const merged = mergeHead(old, 'cursor-after-1', { items: [image(11), image(10), image(8), image(7)], nextCursor: 'cursor-after-7' });
    expect(merged.items.map((i) => i.id)).toEqual([11, 10, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(merged.nextCursor).toBe('cursor-after-1');
    const short = mergeHead(old.slice(0, 4), 'cursor-after-7', { items: [image(11), image(10), image(8), image(7)], nextCursor: 'cursor-after-7' });
    expect(short.items.map((i) => i.id)).toEqual([11, 10, 8, 7]);
    const whole = mergeHead(old, 'cursor-after-1', { items: [image(11)], nextCursor: null });
    expect(whole.items.map((i) => i.id)).toEqual([11]);
  });

  it('takes trashed images out of the view at once', async () => {
    const studio = fakeStudio({ ...library(5), trashImages: async () => ({ changed: 2 }) });
    await studio.store.getState().loadImages();
    studio.store.getState().selectAt(0, 'replace');
    studio.store.getState().selectAt(2, 'toggle');
    await studio.store.getState().trashSelection();
    expect(studio.calls.at(-1)).toEqual({ name: 'trashImages', input: { selection: { ids: [5, 3] } } });
    expect(studio.store.getState().items.map((i) => i.id)).toEqual([4, 2, 1]);
    expect(studio.store.getState().selected.size).toBe(0);
  });
});
