/**
 * The one store (CONVENTIONS.md › 13): typed slices, each next to its feature, combined here. Slices reach the
 * studio through `deps.host`; events from main are applied by `bindEvents` (store/events.ts). A store is made
 * per page (and per test), so tests start from a fresh one instead of resetting a global.
 */
import { createStore, type StateCreator, type StoreApi } from 'zustand/vanilla';
import type { Result, StudioError } from '../../../electron/contract';
import { createAccountSlice, type AccountSlice } from '../features/account/account-slice';
import { createAlbumsSlice, type AlbumsSlice } from '../features/albums/albums-slice';
import { createCommunitySlice, type CommunitySlice } from '../features/community/community-slice';
import { createCompanionsSlice, type CompanionsSlice } from '../features/companions/companions-slice';
import { createGallerySlice, type GallerySlice } from '../features/gallery/gallery-slice';
import { createGenerateSlice, type GenerateSlice } from '../features/generate/generate-slice';
import { createImportsSlice, type ImportsSlice } from '../features/imports/imports-slice';
import { createNoticesSlice, type NoticesSlice } from '../features/notices/notices-slice';
import { createPublishSlice, type PublishSlice } from '../features/publish/publish-slice';
import { createQueueSlice, type QueueSlice } from '../features/queue/queue-slice';
import { createSettingsSlice, type SettingsSlice } from '../features/settings/settings-slice';
import { createViewerSlice, type ViewerSlice } from '../features/viewer/viewer-slice';
import type { Host } from '../host';
import { createAppSlice, type AppSlice } from './app-slice';

export interface StoreDeps {
  readonly host: Host;
  /** The browser's or system's languages, most preferred first (navigator.languages). */
  readonly languages: readonly string[];
}

export type StudioState = AppSlice & NoticesSlice & GenerateSlice & QueueSlice & GallerySlice & ViewerSlice & AlbumsSlice & SettingsSlice & ImportsSlice & AccountSlice & PublishSlice & CompanionsSlice & CommunitySlice;
export type SliceCreator<T> = (deps: StoreDeps) => StateCreator<StudioState, [], [], T>;
export type StudioStore = StoreApi<StudioState>;

export function createStudioStore(deps: StoreDeps): StudioStore {
  return createStore<StudioState>()((...a) => ({
    ...createAppSlice(deps)(...a),
    ...createNoticesSlice(deps)(...a),
    ...createGenerateSlice(deps)(...a),
    ...createQueueSlice(deps)(...a),
    ...createGallerySlice(deps)(...a),
    ...createViewerSlice(deps)(...a),
    ...createAlbumsSlice(deps)(...a),
    ...createSettingsSlice(deps)(...a),
    ...createImportsSlice(deps)(...a),
    ...createAccountSlice(deps)(...a),
    ...createPublishSlice(deps)(...a),
    ...createCompanionsSlice(deps)(...a),
    ...createCommunitySlice(deps)(...a),
  }));
}

/** The value of a call, or undefined after reporting its error as a notice. */
export async function valueOr<T>(get: () => StudioState, work: Promise<Result<T>>): Promise<T | undefined> {
  const result = await work;
  if (result.ok) return result.value;
  get().reportError(result.error);
  return undefined;
}

export type { StudioError };
