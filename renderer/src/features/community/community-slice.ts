/**
 * The Community tab: the platform's public gallery in cursor pages (newest or most liked), likes with their
 * counts, and downloading an original into the library.
 */
import type { CommunityItem, StudioError } from '../../../../electron/contract';
import { valueOr, type SliceCreator } from '../../store';

export type CommunitySort = 'newest' | 'most_liked';
export const COMMUNITY_PAGE_SIZE = 24;

export interface CommunitySlice {
  readonly communitySort: CommunitySort;
  readonly communityItems: readonly CommunityItem[];
  readonly communityCursor: string | null;
  readonly communityLoading: boolean;
  /** The first page of the current sort has arrived (or failed). */
  readonly communityLoaded: boolean;
  /** Why the gallery could not be had (shown in place of it). */
  readonly communityError: StudioError | null;
  /** Community images being downloaded into the library. */
  readonly downloading: ReadonlySet<string>;
  loadCommunity(): Promise<void>;
  loadMoreCommunity(): Promise<void>;
  setCommunitySort(sort: CommunitySort): void;
  toggleLike(remoteImageId: string): Promise<void>;
  downloadCommunityImage(remoteImageId: string): Promise<void>;
}

export const createCommunitySlice: SliceCreator<CommunitySlice> = (deps) => (set, get) => {
  const client = deps.host.client;
  // Pages for an older sort (or an earlier reload) that arrive late are dropped.
  let query = 0;
  const page = (cursor: string | undefined) =>
    client.listCommunity({ sort: get().communitySort, limit: COMMUNITY_PAGE_SIZE, ...(cursor === undefined ? {} : { cursor }) });
  return {
    communitySort: 'newest',
    communityItems: [],
    communityCursor: null,
    communityLoading: false,
    communityLoaded: false,
    communityError: null,
    downloading: new Set(),
    loadCommunity: async () => {
      const current = ++query;
      set({ communityLoading: true, communityError: null });
      const result = await page(undefined);
      if (current !== query) return;
      set(
        result.ok
          ? { communityItems: result.value.items, communityCursor: result.value.nextCursor, communityLoading: false, communityLoaded: true }
          : { communityItems: [], communityCursor: null, communityLoading: false, communityLoaded: true, communityError: result.error },
      );
    },
    loadMoreCommunity: async () => {
      const { communityLoading, communityCursor } = get();
      if (communityLoading || communityCursor === null) return;
      const current = query;
      set({ communityLoading: true });
      const more = await valueOr(get, page(communityCursor));
      if (current !== query) return;
      if (more === undefined) {
        set({ communityLoading: false });
        return;
      }
      set((s) => {
        // A keyset page can repeat an image whose rank moved between pages (a like, under most liked).
        const known = new Set(s.communityItems.map((i) => i.id));
        return { communityItems: [...s.communityItems, ...more.items.filter((i) => !known.has(i.id))], communityCursor: more.nextCursor, communityLoading: false };
      });
    },
    setCommunitySort: (communitySort) => {
      if (communitySort === get().communitySort) return;
      set({ communitySort, communityItems: [], communityCursor: null, communityLoaded: false });
      void get().loadCommunity();
    },
    toggleLike: async (remoteImageId) => {
      const item = get().communityItems.find((i) => i.id === remoteImageId);
      if (item === undefined) return;
      const state = await valueOr(get, item.likedByMe ? client.unlikeImage({ remoteImageId }) : client.likeImage({ remoteImageId }));
      if (state === undefined) return;
      set((s) => ({
        communityItems: s.communityItems.map((i) => (i.id === state.imageId ? { ...i, likeCount: state.likeCount, likedByMe: state.likedByMe } : i)),
      }));
    },
    downloadCommunityImage: async (remoteImageId) => {
      if (get().downloading.has(remoteImageId)) return;
      set((s) => ({ downloading: new Set([...s.downloading, remoteImageId]) }));
      try {
        const downloaded = await valueOr(get, client.downloadCommunityImage({ remoteImageId }));
        if (downloaded !== undefined) get().inform('community.downloaded');
      } finally {
        set((s) => ({ downloading: new Set([...s.downloading].filter((id) => id !== remoteImageId)) }));
      }
    },
  };
};
