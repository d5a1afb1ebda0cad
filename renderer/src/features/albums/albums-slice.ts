/** Albums in the sidebar: regular ones (hand-picked, ordered) and smart ones (a saved search); and the library's tags. */
import type { Album, CallOutput, ImageFilters } from '../../../../electron/contract';
import { valueOr, type SliceCreator } from '../../store';

export type TagView = CallOutput<'listTags'>[number];

export interface AlbumsSlice {
  readonly albums: readonly Album[];
  readonly tags: readonly TagView[];
  loadAlbums(): Promise<void>;
  loadTags(): Promise<void>;
  createAlbum(name: string, smartFilters?: ImageFilters): Promise<Album | undefined>;
  renameAlbum(albumId: number, name: string): Promise<void>;
  deleteAlbum(albumId: number): Promise<void>;
}

export const createAlbumsSlice: SliceCreator<AlbumsSlice> = (deps) => (set, get) => {
  const client = deps.host.client;
  return {
    albums: [],
    tags: [],
    loadTags: async () => {
      const tags = await valueOr(get, client.listTags());
      if (tags !== undefined) set({ tags });
    },
    loadAlbums: async () => {
      const albums = await valueOr(get, client.listAlbums());
      if (albums === undefined) return;
      set({ albums });
      // The album shown may have been renamed or changed elsewhere: keep the gallery's copy current.
      const { source } = get();
      if (source.kind !== 'album') return;
      const shown = albums.find((a) => a.id === source.album.id);
      if (shown === undefined) get().showLibrary();
      else if (shown.name !== source.album.name || shown.updatedAt !== source.album.updatedAt) set({ source: { kind: 'album', album: shown } });
    },
    createAlbum: async (name, smartFilters) => {
      const album = await valueOr(get, client.createAlbum(smartFilters === undefined ? { name } : { name, smartFilters }));
      if (album !== undefined) set((s) => ({ albums: [...s.albums.filter((a) => a.id !== album.id), album] }));
      return album;
    },
    renameAlbum: async (albumId, name) => {
      const album = await valueOr(get, client.renameAlbum({ albumId, name }));
      if (album !== undefined) set((s) => ({ albums: s.albums.map((a) => (a.id === albumId ? album : a)) }));
    },
    deleteAlbum: async (albumId) => {
      const done = await valueOr(get, client.deleteAlbum({ albumId }));
      if (done === undefined) return;
      set((s) => ({ albums: s.albums.filter((a) => a.id !== albumId) }));
      const { source } = get();
      if (source.kind === 'album' && source.album.id === albumId) get().showLibrary();
    },
  };
};
