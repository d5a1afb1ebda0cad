/**
 * Publishing: the dialog's state (which images, the quote with its price, balance after and moderation
 * verdicts, the companion), the confirmation that queues them in main's outbox, and each image's progress
 * from `sync.progress`, which also keeps the sync-state badges of the gallery and the viewer current.
 */
import type { EventPayload, PublishQuote, StudioError } from '../../../../electron/contract';
import { valueOr, type SliceCreator } from '../../store';

export type SyncProgress = EventPayload<'sync.progress'>;
export type SyncState = SyncProgress['syncState'];

export interface PublishSlice {
  /** The images the dialog is open for; null when it is closed. */
  readonly publishTarget: readonly number[] | null;
  readonly quote: PublishQuote | null;
  /** Why the quote could not be had (signed out, platform unreachable…). */
  readonly quoteError: StudioError | null;
  readonly publishCompanionId: string | null;
  readonly publishing: boolean;
  readonly publishError: StudioError | null;
  /** The images of the dialog were handed to the outbox: it now shows their progress. */
  readonly publishQueued: boolean;
  /** The latest progress of each image being published, by library id. */
  readonly publishProgress: Readonly<Record<number, SyncProgress>>;
  openPublish(imageIds: readonly number[], companionId: string | null): Promise<void>;
  closePublish(): void;
  setPublishCompanion(companionId: string | null): void;
  confirmPublish(): Promise<boolean>;
  applySyncProgress(progress: SyncProgress): void;
  /** Takes the viewer's image off the platform's gallery. */
  unpublishViewerImage(): Promise<void>;
}

/** Outbox states after which nothing more happens to a publish. */
const SETTLED = new Set<SyncProgress['state']>(['published', 'refunded', 'failed']);
/** Outbox states of a publish that ended without publishing. */
const GAVE_UP = new Set<SyncProgress['state']>(['refunded', 'failed']);

export const createPublishSlice: SliceCreator<PublishSlice> = (deps) => (set, get) => {
  const client = deps.host.client;
  let opened = 0;
  return {
    publishTarget: null,
    quote: null,
    quoteError: null,
    publishCompanionId: null,
    publishing: false,
    publishError: null,
    publishQueued: false,
    publishProgress: {},
    openPublish: async (imageIds, companionId) => {
      const current = ++opened;
      set({ publishTarget: imageIds, quote: null, quoteError: null, publishCompanionId: companionId, publishError: null, publishQueued: false, publishing: false });
      if (get().companions.length === 0) void get().loadCompanions();
      const quote = await client.quotePublish({ imageIds });
      if (current !== opened) return;
      set(quote.ok ? { quote: quote.value } : { quoteError: quote.error });
    },
    closePublish: () => {
      opened++;
      set({ publishTarget: null, quote: null, quoteError: null, publishError: null, publishQueued: false, publishing: false });
    },
    setPublishCompanion: (publishCompanionId) => set({ publishCompanionId }),
    confirmPublish: async () => {
      const { publishTarget, publishing, publishCompanionId } = get();
      if (publishTarget === null || publishing) return false;
      const current = opened;
      set({ publishing: true, publishError: null });
      const result = await client.publishImages({ imageIds: publishTarget, companionId: publishCompanionId });
      if (current !== opened) return result.ok;
      if (!result.ok) {
        set({ publishing: false, publishError: result.error });
        return false;
      }
      const states = new Map(result.value.items.map((i) => [i.imageId, i.syncState]));
      set((s) => ({
        publishing: false,
        publishQueued: true,
        items: s.items.map((image) => {
          const syncState = states.get(image.id);
          return syncState === undefined || syncState === image.syncState ? image : { ...image, syncState };
        }),
        details: s.details === null ? null : { ...s.details, syncState: states.get(s.details.id) ?? s.details.syncState },
      }));
      return true;
    },
    applySyncProgress: (progress) => {
      const previous = get().publishProgress[progress.imageId];
      set((s) => ({
        publishProgress: { ...s.publishProgress, [progress.imageId]: progress },
        items: s.items.map((image) => (image.id === progress.imageId && image.syncState !== progress.syncState ? { ...image, syncState: progress.syncState } : image)),
        details: s.details !== null && s.details.id === progress.imageId ? { ...s.details, syncState: progress.syncState } : s.details,
      }));
      // A finished publish gave the image its platform id: the library has the rest.
      if (SETTLED.has(progress.state) && get().details?.id === progress.imageId) void get().reloadDetails();
      // The dialog may be closed by now: a publish that ended without publishing is said once, with why.
      if (GAVE_UP.has(progress.state) && (previous === undefined || !GAVE_UP.has(previous.state))) {
        get().inform('publish.notPublished', { id: progress.imageId, error: progress.lastError ?? '' });
      }
      // Tokens were consumed or given back: the balance moved.
      if ((progress.state === 'charged' || progress.state === 'refunded') && get().account?.signedIn === true) void get().loadAccount();
    },
    unpublishViewerImage: async () => {
      const details = get().details;
      if (details === null) return;
      if ((await valueOr(get, client.unpublishImage({ imageId: details.id }))) !== undefined) await get().reloadDetails();
    },
  };
};
