// @vitest-environment jsdom
/** The album sidebar: create, rename, delete, images dropped onto an album from the grid; a smart album refined. */
import { cleanup, createEvent, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Album } from '../../../../../electron/contract';
import { AlbumSidebar } from '../../../../../renderer/src/features/albums/AlbumSidebar';
import { IMAGES_MIME } from '../../../../../renderer/src/features/gallery/drag';
import { SmartAlbumSave } from '../../../../../renderer/src/features/gallery/GalleryScreen';
import { fakeStudio, renderWith } from '../../support';

afterEach(cleanup);

/** The part of DataTransfer that drag and drop uses (jsdom has none). */
function transfer(data: Record<string, string>) {
  return { types: Object.keys(data), getData: (type: string) => data[type] ?? '', dropEffect: 'none', effectAllowed: 'all' };
}

function albumsStudio() {
  let albums: Album[] = [];
  let nextId = 1;
  const now = 1_700_000_000_000;
  return fakeStudio({
    listAlbums: async () => albums,
    createAlbum: async (input) => {
      const album: Album = { id: nextId++, name: input.name, coverImageId: null, coverThumbnailPath: null, smartFilters: input.smartFilters ?? null, createdAt: now, updatedAt: now, imageCount: 0 };
      albums = [...albums, album];
      return album;
    },
    renameAlbum: async (input) => {
      albums = albums.map((a) => (a.id === input.albumId ? { ...a, name: input.name, updatedAt: now + 1 } : a));
      return albums.find((a) => a.id === input.albumId) as Album;
    },
    deleteAlbum: async (input) => {
      albums = albums.filter((a) => a.id !== input.albumId);
      return {};
    },
    addToAlbum: async (input) => ({ changed: 'ids' in input.selection ? input.selection.ids.length : 0 }),
    listImages: async () => ({ items: [], nextCursor: null }),
    listAlbumImages: async () => ({ items: [], nextCursor: null }),
    countImages: async () => ({ count: 0 }),
  });
}

describe('AlbumSidebar', () => {
  it('creates an album and opens it, renames it, and deletes it after confirming', async () => {
    const studio = albumsStudio();
    renderWith(studio, <AlbumSidebar />);
    fireEvent.click(screen.getByTestId('album-new'));
    fireEvent.change(screen.getByTestId('album-name-input'), { target: { value: 'Circles' } });
    fireEvent.click(screen.getByTestId('album-create'));
    const item = await screen.findByTestId('album-item');
    expect(item.dataset['albumName']).toBe('Circles');
    await waitFor(() => expect(studio.store.getState().source).toMatchObject({ kind: 'album', album: { name: 'Circles' } }));

    fireEvent.click(within(item).getByTestId('album-rename'));
    fireEvent.change(screen.getByTestId('album-rename-input'), { target: { value: 'Round things' } });
    fireEvent.submit(screen.getByTestId('album-rename-input'));
    await waitFor(() => expect(screen.getByTestId('album-item').dataset['albumName']).toBe('Round things'));

    fireEvent.click(within(screen.getByTestId('album-item')).getByTestId('album-delete'));
    fireEvent.click(screen.getByTestId('album-delete-confirm'));
    await waitFor(() => expect(screen.queryByTestId('album-item')).toBeNull());
    expect(studio.store.getState().source).toEqual({ kind: 'library' });
  });

  it('adds images dropped from the grid to the album, and ignores drops that are not images', async () => {
    const studio = albumsStudio();
    await studio.store.getState().createAlbum('Circles');
    renderWith(studio, <AlbumSidebar />);
    const item = screen.getByTestId('album-item');
    const drop = (data: Record<string, string>) => {
      const event = createEvent.drop(item);
      Object.defineProperty(event, 'dataTransfer', { value: transfer(data) });
      fireEvent(item, event);
    };
    drop({ Files: '' });
    drop({ [IMAGES_MIME]: JSON.stringify({ ids: [3, 4] }) });
    await waitFor(() => expect(studio.calls.some((c) => c.name === 'addToAlbum')).toBe(true));
    expect(studio.calls.filter((c) => c.name === 'addToAlbum').map((c) => c.input)).toEqual([{ albumId: 1, selection: { ids: [3, 4] } }]);
    await waitFor(() => expect(studio.store.getState().notices).toEqual([expect.objectContaining({ kind: 'info', message: 'albums.added' })]));
  });
});

describe('a smart album refined in the gallery', () => {
  it('saves the gallery filters into the album, shows it as saved, and clears them', async () => {
    const smart: Album = { id: 4, name: 'Red things', coverImageId: null, coverThumbnailPath: null, smartFilters: { text: 'red' }, createdAt: 1, updatedAt: 1, imageCount: null };
    const studio = fakeStudio({
      listAlbums: async () => [smart],
      setSmartFilters: async (input) => ({ ...smart, smartFilters: input.filters, updatedAt: 2 }),
      listImages: async () => ({ items: [], nextCursor: null }),
      countImages: async () => ({ count: 0 }),
    });
    await studio.store.getState().loadAlbums();
    studio.store.getState().showAlbum(smart);
    renderWith(studio, <SmartAlbumSave />);
    expect(screen.queryByTestId('smart-save')).toBeNull();
    studio.store.getState().setFilters({ favourite: true, minRating: 4 });
    fireEvent.click(await screen.findByTestId('smart-save'));
    await waitFor(() => expect(studio.store.getState().notices.at(-1)).toMatchObject({ message: 'albums.smartSaved', vars: { album: 'Red things' } }));
    expect(studio.calls.find((c) => c.name === 'setSmartFilters')?.input).toEqual({ albumId: 4, filters: { text: 'red', favourite: true, minRating: 4 } });
    const s = studio.store.getState();
    expect(s.filters).toEqual({});
    expect(s.source).toMatchObject({ kind: 'album', album: { smartFilters: { text: 'red', favourite: true, minRating: 4 } } });
    expect(s.albums[0]?.smartFilters).toEqual({ text: 'red', favourite: true, minRating: 4 });
    expect(studio.calls.filter((c) => c.name === 'listImages').at(-1)?.input).toMatchObject({ filters: { text: 'red', favourite: true, minRating: 4 } });
    expect(screen.queryByTestId('smart-save')).toBeNull();
  });
});
