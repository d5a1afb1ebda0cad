/** Albums in the sidebar: regular ones (hand-picked, ordered) and smart ones (a saved search); and the library's tags. */
import type { Album, CallOutput, ImageFilters } from '../../../../electron/contract';
import { valueOr, type SliceCreator } from '../../store';
import { effectiveFilters } from '../gallery/gallery-slice';

export type TagView = CallOutput<'listTags'>[number];

export interface AlbumsSlice {
  readonly albums: readonly Album[];
  readonly tags: readonly TagView[];
  loadAlbums(): Promise<void>;
  loadTags(): Promise<void>;
  createAlbum(name: string, smartFilters?: ImageFilters): Promise<Album | undefined>;
  renameAlbum(albumId: number, name: string): Promise<void>;
  deleteAlbum(albumId: number): Promise<void>;
  /** Makes the image the album's cover (shown beside its name). */
  setAlbumCover(albumId: number, imageId: number): Promise<void>;
  /**
   * Makes the smart album shown in the gallery the search the user refined on it: its saved filters with the
   * gallery's on top become its filters, and the gallery's own are cleared (the album now says them).
   */
  saveSmartFilters(): Promise<void>;
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
    saveSmartFilters: async () => {
      const { source, filters } = get();
      if (source.kind !== 'album' || source.album.smartFilters === null || Object.keys(filters).length === 0) return;
      const album = await valueOr(get, client.setSmartFilters({ albumId: source.album.id, filters: effectiveFilters(source, filters) }));
      if (album === undefined) return;
      // Shown as it now is, in the same sort.
      set((s) => ({ albums: s.albums.map((a) => (a.id === album.id ? album : a)), source: { kind: 'album', album }, filters: {} }));
      await get().loadImages();
      get().inform('albums.smartSaved', { album: album.name });
    },
    setAlbumCover: async (albumId, imageId) => {
      const album = await valueOr(get, client.setAlbumCover({ albumId, imageId }));
      if (album === undefined) return;
      set((s) => ({ albums: s.albums.map((a) => (a.id === albumId ? album : a)) }));
      get().inform('albums.coverSet', { album: album.name });
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
