/** The viewer: one image at full size with all its metadata, and the edits made from it. */
import type { ImageDetails, Result } from '../../../../electron/contract';
import { valueOr, type SliceCreator } from '../../store';

export interface ViewerSlice {
  /** The gallery index of the image shown, or null when the viewer is closed. */
  readonly viewerIndex: number | null;
  readonly details: ImageDetails | null;
  openViewer(index: number): Promise<void>;
  closeViewer(): void;
  /** The previous (-1) or next (+1) image of the gallery. */
  stepViewer(by: -1 | 1): Promise<void>;
  reloadDetails(): Promise<void>;
  setViewerFavourite(favourite: boolean): Promise<void>;
  setViewerRating(rating: number): Promise<void>;
  addViewerTag(tag: string): Promise<void>;
  removeViewerTag(tag: string): Promise<void>;
  trashViewerImage(): Promise<void>;
  restoreViewerImage(): Promise<void>;
}

export const createViewerSlice: SliceCreator<ViewerSlice> = (deps) => (set, get) => {
  const client = deps.host.client;
  let request = 0;
  const edit = async (work: (ids: readonly [number]) => Promise<Result<unknown>>) => {
    const details = get().details;
    if (details === null) return;
    if ((await valueOr(get, work([details.id]))) !== undefined) await get().reloadDetails();
  };
  return {
    viewerIndex: null,
    details: null,
    openViewer: async (index) => {
      const image = get().items[index];
      if (image === undefined) return;
      const current = ++request;
      set({ viewerIndex: index, details: { ...image, tags: [], albums: [] }, focus: index });
      const details = await valueOr(get, client.getImage({ imageId: image.id }));
      if (current === request && details !== undefined) set({ details });
    },
    closeViewer: () => {
      request++;
      set({ viewerIndex: null, details: null });
    },
    stepViewer: async (by) => {
      const { viewerIndex, items, nextCursor, details } = get();
      if (viewerIndex === null) return;
      // The gallery may have reloaded since (an image trashed, new ones generated): step from where this one is now.
      const at = items.findIndex((i) => i.id === details?.id);
      const next = (at >= 0 ? at : viewerIndex) + by;
      if (next >= items.length && nextCursor !== null) await get().loadMore();
      if (next >= 0 && next < get().items.length) await get().openViewer(next);
    },
    reloadDetails: async () => {
      const details = get().details;
      if (details === null) return;
      const current = request;
      const fresh = await valueOr(get, client.getImage({ imageId: details.id }));
      if (current === request && fresh !== undefined) set({ details: fresh });
    },
    setViewerFavourite: (favourite) => edit((ids) => client.setFavourite({ selection: { ids }, favourite })),
    setViewerRating: (rating) => edit((ids) => client.setRating({ selection: { ids }, rating })),
    addViewerTag: (tag) => edit((ids) => client.addTags({ selection: { ids }, tags: [tag] })),
    removeViewerTag: (tag) => edit((ids) => client.removeTags({ selection: { ids }, tags: [tag] })),
    trashViewerImage: () => edit((ids) => client.trashImages({ selection: { ids } })),
    restoreViewerImage: () => edit((ids) => client.restoreImages({ selection: { ids } })),
  };
};
