/**
 * A studio for renderer tests in jsdom, where the real one (engines, SQLite, a WebSocket server) cannot run:
 * handlers written per test behind the contract's own dispatcher and client, so every input and reply is
 * validated exactly as over the real transport. The end-to-end tests drive the real studio in Chromium.
 */
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import {
  CALL_NAMES,
  DEFAULT_SETTINGS,
  checkEvent,
  createDispatcher,
  createStudioClient,
  type EventName,
  type EventPayload,
  type ImageSummary,
  type JobView,
  type ModelEntry,
  type StudioError,
  type StudioHandlers,
} from '../../../electron/contract';
import type { ConnectionStatus, Host } from '../../../renderer/src/host';
import { createStudioStore, type StudioStore } from '../../../renderer/src/store';
import { StoreProvider } from '../../../renderer/src/store/react';

/** A failure a fake handler throws, turned into the error as data the real studio would send. */
export class FakeFailure extends Error {
  constructor(readonly error: StudioError) {
    super(error.message);
  }
}

export interface FakeStudio {
  readonly host: Host;
  readonly store: StudioStore;
  /** Every call made, in order, with its validated input. */
  readonly calls: { name: string; input: unknown }[];
  emit<K extends EventName>(name: K, payload: EventPayload<K>): void;
  setStatus(status: ConnectionStatus): void;
}

export function fakeStudio(handlers: Partial<StudioHandlers>, languages: readonly string[] = ['en-GB']): FakeStudio {
  const calls: { name: string; input: unknown }[] = [];
  const complete = Object.fromEntries(
    CALL_NAMES.map((name) => [
      name,
      async (input: unknown) => {
        calls.push({ name, input });
        const handler = handlers[name] as ((input: unknown) => Promise<unknown>) | undefined;
        if (handler === undefined) throw new FakeFailure({ code: 'INTERNAL', message: `no fake for ${name}` });
        return handler(input);
      },
    ]),
  ) as unknown as StudioHandlers;
  const dispatch = createDispatcher(complete, (error) =>
    error instanceof FakeFailure ? error.error : { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) },
  );
  const listeners = new Set<(name: string, payload: unknown) => void>();
  const client = createStudioClient(
    {
      call: (name, input) => dispatch(name, input),
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    { fileUrl: (relativePath) => `http://studio.test/library/${relativePath}` },
  );
  const statusListeners = new Set<(status: ConnectionStatus) => void>();
  const host: Host = {
    client,
    desktop: null,
    importFiles: async () => ({ ok: false, error: { code: 'INTERNAL', message: 'not in these tests' } }),
    onStatus: (listener) => {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
  };
  return {
    host,
    store: createStudioStore({ host, languages }),
    calls,
    emit: (name, payload) => {
      const event = checkEvent(name, payload);
      for (const listener of listeners) listener(event.name, event.payload);
    },
    setStatus: (status) => {
      for (const listener of statusListeners) listener(status);
    },
  };
}

export function renderWith(studio: FakeStudio, ui: ReactNode) {
  return render(
    <StoreProvider store={studio.store} host={studio.host}>
      {ui}
    </StoreProvider>,
  );
}

/** Lets pending promise callbacks run (replies travel through a few awaits). */
export const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export const EMBEDDED: ModelEntry = {
  id: 'embedded',
  path: '/models/studio-shapes',
  builtin: true,
  usable: true,
  name: 'studio-shapes',
  family: 'custom',
  hash: '54fd724869',
  nativeWidth: 64,
  nativeHeight: 64,
  maxTokens: 32,
  defaultSampler: 'euler-a',
};

export function image(id: number, patch: Partial<ImageSummary> = {}): ImageSummary {
  return {
    id,
    contentHash: `hash${id}`,
    filePath: `originals/ab/${id}.png`,
    thumbnailPath: `thumbnails/ab/${id}.webp`,
    format: 'png',
    fileSize: 5000,
    prompt: `a large red circle ${id}`,
    negativePrompt: '',
    modelName: 'studio-shapes',
    modelHash: '54fd724869',
    sampler: 'euler-a',
    steps: 20,
    guidance: 7,
    seed: 100 + id,
    width: 64,
    height: 64,
    createdAt: 1_700_000_000_000 + id,
    importedAt: 1_700_000_000_000 + id,
    source: 'studio',
    favourite: false,
    rating: 0,
    companionId: null,
    syncState: 'local',
    remoteId: null,
    likes: 0,
    tokensSpent: 0,
    deletedAt: null,
    missingAt: null,
    ...patch,
  };
}

export function job(id: number, patch: Partial<JobView> = {}): JobView {
  return {
    id,
    status: 'queued',
    position: id,
    attempts: 0,
    error: null,
    params: {
      modelId: 'embedded',
      modelName: 'studio-shapes',
      prompt: `prompt ${id}`,
      negativePrompt: '',
      sampler: 'euler-a',
      steps: 20,
      guidance: 7,
      seed: 1000 + id,
      width: 64,
      height: 64,
      batchSize: 1,
    },
    imageIds: [],
    createdAt: 1_700_000_000_000 + id,
    updatedAt: 1_700_000_000_000 + id,
    progress: null,
    ...patch,
  };
}

export const settings = DEFAULT_SETTINGS;
