/**
 * The gallery: what it shows (the whole library, or an album; filters and sort), the images loaded so far
 * (keyset pages: `listImages` / `listAlbumImages` with the previous page's cursor), the count, and the selection.
 *
 * The selection is either a set of ids (click, ctrl/cmd-click, shift-click over loaded images) or "everything
 * the filters match" (select all), which edits through `{ filters }` without loading 100,000 ids.
 */
import type { Album, ImageFilters, ImagePage, ImageSelection, ImageSort, ImageSummary, Result } from '../../../../electron/contract';

/** Where an export goes: a folder, or a zip file (paths on the machine the studio runs on). */
export type ExportTarget = { readonly folder: string } | { readonly zip: string };
import { valueOr, type SliceCreator } from '../../store';

export type GallerySource = { readonly kind: 'library' } | { readonly kind: 'album'; readonly album: Album };
export type SelectMode = 'replace' | 'toggle' | 'range';

export interface GallerySlice {
  readonly source: GallerySource;
  /** The user's filters (an album's own are added by `effectiveFilters`). */
  readonly filters: ImageFilters;
  readonly sort: ImageSort;
  readonly items: readonly ImageSummary[];
  readonly nextCursor: string | null;
  readonly loading: boolean;
  /** False until the first page of the current query arrived. */
  readonly loaded: boolean;
  /** How many images match; counting stops at COUNT_CAP. */
  readonly total: number | null;
  readonly selected: ReadonlySet<number>;
  readonly allSelected: boolean;
  /** Where shift-click ranges start (an index into items). */
  readonly anchor: number | null;
  /** The export under way from the selection bar: where to, and bytes copied of all (null when none). */
  readonly exporting: { readonly target: string; readonly done: number; readonly total: number } | null;
  /** The keyboard focus (an index into items). */
  readonly focus: number;
  setFilters(patch: Partial<ImageFilters>): void;
  setSort(sort: ImageSort): void;
  clearFilters(): void;
  showLibrary(): void;
  showAlbum(album: Album): void;
  loadImages(): Promise<void>;
  loadMore(): Promise<void>;
  /** Reloads what is shown after the library changed, keeping as many images loaded as before. */
  refreshImages(): Promise<void>;
  selectAt(index: number, mode: SelectMode): void;
  selectAll(): void;
  clearSelection(): void;
  setFocus(index: number): void;
  /** The selection as the contract takes it, or null when nothing is selected. */
  selection(): ImageSelection | null;
  favouriteSelection(favourite: boolean): Promise<void>;
  rateSelection(rating: number): Promise<void>;
  trashSelection(): Promise<void>;
  restoreSelection(): Promise<void>;
  /** Deletes for good the selected images of the trash, or (`everything`) the whole trash. */
  deleteForever(everything: boolean): Promise<void>;
  addToAlbum(albumId: number, selection: ImageSelection): Promise<void>;
  /** Adds one tag to the selection. */
  tagSelection(tag: string): Promise<void>;
  /** Copies the selection's originals, metadata intact, into a folder or a zip (a path on the studio's machine). */
  exportSelection(target: ExportTarget): Promise<void>;
  /** `export.progress` from main, for the export under way. */
  applyExportProgress(progress: { readonly target: string; readonly done: number; readonly total: number }): void;
  /** In a regular album shown in its own order: moves images before another member (null: to the end). */
  reorderInAlbum(imageIds: readonly number[], beforeImageId: number | null): Promise<void>;
}

export const PAGE_SIZE = 200;
/** The first page of a query: a few screens' worth, so that it arrives and renders sooner. */
export const FIRST_PAGE_SIZE = 80;
export const COUNT_CAP = 10_000;
export const DEFAULT_SORT: ImageSort = 'newest';

/** The filters a query uses: the user's, plus the album's (its saved search, or membership). */
export function effectiveFilters(source: GallerySource, filters: ImageFilters): ImageFilters {
  if (source.kind === 'library') return filters;
  if (source.album.smartFilters !== null) return { ...source.album.smartFilters, ...filters };
  return { ...filters, albumId: source.album.id };
}

/** A regular album with no filters and the default sort is shown in its own order (and can be reordered). */
export function inAlbumOrder(source: GallerySource, filters: ImageFilters, sort: ImageSort): source is { kind: 'album'; album: Album } {
  return source.kind === 'album' && source.album.smartFilters === null && Object.keys(filters).length === 0 && sort === DEFAULT_SORT;
}

/** Drops keys set to undefined, '' or an empty list, so that "no filter" is always an absent key. */
function compact(filters: Record<string, unknown>): ImageFilters {
  return Object.fromEntries(
    Object.entries(filters).filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0)),
  ) as ImageFilters;
}

/**
 * A reloaded first page in place of the head of a longer list: the images loaded beyond it stay (from where the
 * page ends in the old list), so that a change while the user is far down does not throw the scroll back.
 */
export function mergeHead(old: readonly ImageSummary[], oldCursor: string | null, page: ImagePage): ImagePage {
  const last = page.items.at(-1);
  if (page.nextCursor === null || last === undefined) return page;
  const at = old.findIndex((i) => i.id === last.id);
  if (at < 0 || at === old.length - 1) return page;
  const fresh = new Set(page.items.map((i) => i.id));
  return { items: [...page.items, ...old.slice(at + 1).filter((i) => !fresh.has(i.id))], nextCursor: oldCursor };
}

const noSelection = { selected: new Set<number>() as ReadonlySet<number>, allSelected: false, anchor: null, focus: 0 };

export const createGallerySlice: SliceCreator<GallerySlice> = (deps) => (set, get) => {
  const client = deps.host.client;
  // Each query gets a number; pages that arrive for an older query are dropped.
  let query = 0;

  const fetchPage = (limit: number, cursor: string | null): Promise<Result<ImagePage>> => {
    const { source, filters, sort } = get();
    const after = cursor === null ? {} : { cursor };
    if (inAlbumOrder(source, filters, sort)) return client.listAlbumImages({ albumId: source.album.id, limit, ...after });
    return client.listImages({ filters: effectiveFilters(source, filters), sort, limit, ...after });
  };

  const count = async (current: number) => {
    const { source, filters } = get();
    const result = await client.countImages({ filters: effectiveFilters(source, filters), upTo: COUNT_CAP });
    if (current === query && result.ok) set({ total: result.value.count });
  };

  const reload = async (limit: number, keepSelection: boolean) => {
    const current = ++query;
    set({ loading: true, ...(keepSelection ? {} : { ...noSelection, items: [], nextCursor: null, loaded: false, total: null }) });
    const page = await valueOr(get, fetchPage(limit, null));
    // Counted once the page is here, so that the page's request does not wait behind the count.
    void count(current);
    if (current !== query) return;
    if (page === undefined) {
      set({ loading: false, loaded: true });
      return;
    }
    set((s) => {
      const { items, nextCursor } = keepSelection ? mergeHead(s.items, s.nextCursor, page) : page;
      const ids = new Set(items.map((i) => i.id));
      const selected = s.allSelected ? s.selected : new Set([...s.selected].filter((id) => ids.has(id)));
      return { items, nextCursor, loading: false, loaded: true, selected, focus: Math.min(s.focus, Math.max(0, items.length - 1)) };
    });
  };

  const edit = async (work: (selection: ImageSelection) => Promise<Result<unknown>>) => {
    const selection = get().selection();
    if (selection === null) return;
    await valueOr(get, work(selection));
  };

  /** Trash or restore: the images leave this view at once (a refresh follows from the library's event). */
  const moveOut = async (work: (selection: ImageSelection) => Promise<Result<{ changed: number }>>) => {
    const selection = get().selection();
    if (selection === null) return;
    const done = await valueOr(get, work(selection));
    if (done !== undefined && 'ids' in selection) {
      const gone = new Set(selection.ids);
      set((s) => ({ items: s.items.filter((i) => !gone.has(i.id)) }));
    }
    get().clearSelection();
  };

  return {
    source: { kind: 'library' },
    filters: {},
    sort: DEFAULT_SORT,
    items: [],
    nextCursor: null,
    loading: false,
    loaded: false,
    total: null,
    exporting: null,
    ...noSelection,
    setFilters: (patch) => {
      set((s) => ({ filters: compact({ ...s.filters, ...patch }) }));
      void get().loadImages();
    },
    setSort: (sort) => {
      set({ sort });
      void get().loadImages();
    },
    clearFilters: () => {
      set({ filters: {}, sort: DEFAULT_SORT });
      void get().loadImages();
    },
    showLibrary: () => {
      set({ source: { kind: 'library' }, filters: {}, sort: DEFAULT_SORT });
      void get().loadImages();
    },
    showAlbum: (album) => {
      set({ source: { kind: 'album', album }, filters: {}, sort: DEFAULT_SORT });
      void get().loadImages();
    },
    loadImages: () => reload(FIRST_PAGE_SIZE, false),
    refreshImages: () => reload(Math.min(1000, Math.max(PAGE_SIZE, get().items.length)), true),
    loadMore: async () => {
      const { loading, nextCursor } = get();
      if (loading || nextCursor === null) return;
      const current = query;
      set({ loading: true });
      const page = await valueOr(get, fetchPage(PAGE_SIZE, nextCursor));
      if (current !== query) return;
      if (page === undefined) {
        set({ loading: false });
        return;
      }
      set((s) => {
        // A page may repeat an image the refresh already brought in: keep the first.
        const seen = new Set(s.items.map((i) => i.id));
        return { items: [...s.items, ...page.items.filter((i) => !seen.has(i.id))], nextCursor: page.nextCursor, loading: false };
      });
    },
    selectAt: (index, mode) =>
      set((s) => {
        const image = s.items[index];
        if (image === undefined) return {};
        if (mode === 'replace') return { selected: new Set([image.id]), allSelected: false, anchor: index, focus: index };
        if (mode === 'toggle') {
          const selected = new Set(s.allSelected ? s.items.map((i) => i.id) : s.selected);
          if (selected.has(image.id)) selected.delete(image.id);
          else selected.add(image.id);
          return { selected, allSelected: false, anchor: index, focus: index };
        }
        const from = s.anchor ?? index;
        const [lo, hi] = from <= index ? [from, index] : [index, from];
        return { selected: new Set(s.items.slice(lo, hi + 1).map((i) => i.id)), allSelected: false, focus: index };
      }),
    selectAll: () => set((s) => ({ selected: new Set(s.items.map((i) => i.id)), allSelected: s.items.length > 0 })),
    clearSelection: () => set({ selected: new Set(), allSelected: false, anchor: null }),
    setFocus: (index) => set((s) => ({ focus: Math.max(0, Math.min(index, s.items.length - 1)) })),
    selection: () => {
      const s = get();
      if (s.allSelected) return { filters: effectiveFilters(s.source, s.filters) };
      return s.selected.size === 0 ? null : { ids: [...s.selected] };
    },
    favouriteSelection: (favourite) => edit((selection) => client.setFavourite({ selection, favourite })),
    rateSelection: (rating) => edit((selection) => client.setRating({ selection, rating })),
    trashSelection: () => moveOut((selection) => client.trashImages({ selection })),
    restoreSelection: () => moveOut((selection) => client.restoreImages({ selection })),
    deleteForever: async (everything) => {
      const selection = everything ? null : get().selection();
      if (!everything && selection === null) return;
      const emptied = await valueOr(get, client.emptyTrash(selection === null ? {} : { selection }));
      if (emptied === undefined) return;
      get().clearSelection();
      await get().loadImages();
      get().inform(emptied.kept === 0 ? 'gallery.deletedForever' : 'gallery.deletedForeverKept', { count: emptied.deleted, kept: emptied.kept });
    },
    addToAlbum: async (albumId, selection) => {
      const changed = await valueOr(get, client.addToAlbum({ albumId, selection }));
      const album = get().albums.find((a) => a.id === albumId);
      if (changed !== undefined && album !== undefined) get().inform('albums.added', { count: changed.changed, album: album.name });
    },
    tagSelection: async (tag) => {
      const selection = get().selection();
      const name = tag.trim();
      if (selection === null || name === '') return;
      const changed = await valueOr(get, client.addTags({ selection, tags: [name] }));
      if (changed === undefined) return;
      get().inform('gallery.tagged', { count: changed.changed, tag: name });
      await get().loadTags();
    },
    exportSelection: async (target) => {
      const selection = get().selection();
      if (selection === null) return;
      const where = 'zip' in target ? target.zip : target.folder;
      set({ exporting: { target: where, done: 0, total: 0 } });
      const report = await valueOr(get, client.exportImages({ source: selection, target }));
      set({ exporting: null });
      if (report === undefined) return;
      get().inform(report.missing.length === 0 ? 'gallery.exported' : 'gallery.exportedMissing', { count: report.exported, missing: report.missing.length, where });
    },
    applyExportProgress: (progress) => set((s) => (s.exporting?.target === progress.target ? { exporting: progress } : {})),
    reorderInAlbum: async (imageIds, beforeImageId) => {
      const { source, filters, sort } = get();
      if (!inAlbumOrder(source, filters, sort) || imageIds.length === 0) return;
      const done = await valueOr(get, client.reorderAlbum({ albumId: source.album.id, imageIds, beforeImageId }));
      if (done !== undefined) await get().refreshImages();
    },
  };
};
