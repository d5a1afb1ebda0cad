/**
 * Every call the renderer makes to main, once: name → input schema and output schema. The preload, the web
 * client and main's dispatcher are all derived from this table (`StudioApi`, `StudioHandlers`), so a call
 * exists everywhere or nowhere. Inputs are validated by main on receipt, outputs by the client on receipt.
 *
 * Runtime: plain TypeScript (renderer, preload, main, web host, web client).
 */
import { z } from 'zod';
import { PLATFORM_CALLS } from './platform';
import type { Result } from './result';
import {
  Album,
  AlbumId,
  ExportReport,
  GenerationInput,
  ImageDetails,
  ImageFilters,
  ImageId,
  ImagePage,
  ImageQuery,
  ImageSelection,
  JobId,
  ModelEntry,
  QueueView,
  Settings,
  SystemInfo,
  Tag,
  TokenCount,
  JobView,
} from './schemas';

const none = z.undefined();
const call = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output }) as const;
const changed = z.object({ changed: z.number().int() }).readonly();
const done = z.object({}).strict().readonly();
const strict = <T extends z.ZodRawShape>(shape: T) => z.object(shape).strict().readonly();
const tags = z.array(z.string().min(1).max(200)).min(1).max(100).readonly();
const albumName = z.string().min(1).max(200);

export const CALLS = {
  // -- generation
  /** Queues `batchCount` jobs; resolves once they are committed to the queue. */
  submitGeneration: call(GenerationInput, strict({ jobIds: z.array(JobId).readonly() })),
  /** The queue: queued and running jobs in order, then the most recent finished ones. */
  listQueue: call(strict({ finishedLimit: z.number().int().min(0).max(500).default(50) }).optional(), QueueView),
  /** Stops starting new jobs; a running job finishes. */
  pauseQueue: call(none, QueueView),
  resumeQueue: call(none, QueueView),
  /** Moves a queued job just before another queued job, or to the end (null). */
  moveJob: call(strict({ jobId: JobId, beforeJobId: JobId.nullable() }), JobView),
  /** A queued job is cancelled at once; a running one at the engine's next step. */
  cancelJob: call(strict({ jobId: JobId }), strict({ cancelled: z.boolean() })),
  /** Queues a failed or cancelled job's parameters again (same seed) as a new job. */
  retryJob: call(strict({ jobId: JobId }), JobView),

  // -- models
  listModels: call(none, z.array(ModelEntry).readonly()),
  /** The live token count of the prompt editors. */
  tokenize: call(strict({ modelId: z.string().min(1).max(200), text: z.string().max(20_000) }), TokenCount),
  /** Adds a model folder to the list (checked first: MODEL_INVALID says what is wrong with it). */
  addModelFolder: call(strict({ path: z.string().min(1).max(4096) }), ModelEntry),
  removeModelFolder: call(strict({ modelId: z.string().min(1).max(200) }), done),

  // -- library: gallery and search (a search is `listImages` with `filters.text`, sorted by relevance or not)
  listImages: call(ImageQuery, ImagePage),
  /** With `upTo`, counting stops there (the header says "10,000+"). */
  countImages: call(strict({ filters: ImageFilters.default({}), upTo: z.number().int().min(1).optional() }), strict({ count: z.number().int() })),
  getImage: call(strict({ imageId: ImageId }), ImageDetails),
  setFavourite: call(strict({ selection: ImageSelection, favourite: z.boolean() }), changed),
  setRating: call(strict({ selection: ImageSelection, rating: z.number().int().min(0).max(5) }), changed),
  addTags: call(strict({ selection: ImageSelection, tags }), changed),
  removeTags: call(strict({ selection: ImageSelection, tags }), changed),
  listTags: call(none, z.array(Tag).readonly()),
  trashImages: call(strict({ selection: ImageSelection }), changed),
  restoreImages: call(strict({ selection: ImageSelection }), changed),
  /**
   * Deletes trashed images for good, files and all: the whole trash, or the trashed images of `selection`.
   * Images with publishing history stay in the trash (`kept`).
   */
  emptyTrash: call(strict({ selection: ImageSelection.optional() }), strict({ deleted: z.number().int(), kept: z.number().int() })),

  // -- albums
  listAlbums: call(none, z.array(Album).readonly()),
  /** With `smartFilters`, a smart album: a saved search. */
  createAlbum: call(strict({ name: albumName, smartFilters: ImageFilters.optional() }), Album),
  renameAlbum: call(strict({ albumId: AlbumId, name: albumName }), Album),
  setSmartFilters: call(strict({ albumId: AlbumId, filters: ImageFilters }), Album),
  deleteAlbum: call(strict({ albumId: AlbumId }), done),
  addToAlbum: call(strict({ albumId: AlbumId, selection: ImageSelection }), changed),
  removeFromAlbum: call(strict({ albumId: AlbumId, selection: ImageSelection }), changed),
  /** Moves images (in the order given) just before another member, or to the end (null). */
  reorderAlbum: call(strict({ albumId: AlbumId, imageIds: z.array(ImageId).min(1).max(10_000).readonly(), beforeImageId: ImageId.nullable() }), done),
  setAlbumCover: call(strict({ albumId: AlbumId, imageId: ImageId.nullable() }), Album),
  /** An album's images in its own order. */
  listAlbumImages: call(strict({ albumId: AlbumId, limit: z.number().int().min(1).max(1000).default(100), cursor: z.string().max(200).optional() }), ImagePage),

  // -- import and export (paths are on the machine main runs on)
  /** Starts importing a folder; progress and the report arrive as `import.*` events with this id. */
  startImport: call(strict({ folder: z.string().min(1).max(4096) }), strict({ importId: z.string() })),
  /**
   * Imports files and folders given by path (dropped on the window, or uploaded to the web host's staging
   * folder): they are staged first, so moving or deleting them once this resolves is safe.
   */
  importFiles: call(strict({ paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000).readonly() }), strict({ importId: z.string() })),
  exportImages: call(
    strict({
      source: z.union([strict({ albumId: AlbumId }), ImageSelection]),
      target: z.union([strict({ folder: z.string().min(1).max(4096) }), strict({ zip: z.string().min(1).max(4096) })]),
    }),
    ExportReport,
  ),

  // -- settings
  getSettings: call(none, Settings),
  /** Replaces the settings; `libraryDir` applies at the next start (`getSystemInfo` says which is in use). */
  updateSettings: call(Settings, Settings),
  getSystemInfo: call(none, SystemInfo),

  // -- platform: account, publishing, companions, community (platform.ts)
  ...PLATFORM_CALLS,
} as const;

export type CallTable = typeof CALLS;
export type CallName = keyof CallTable;
/** What a caller passes (defaults may be left out). */
export type CallInput<K extends CallName> = z.input<CallTable[K]['input']>;
/** What main's handler receives (defaults filled in). */
export type ParsedCallInput<K extends CallName> = z.output<CallTable[K]['input']>;
export type CallOutput<K extends CallName> = z.output<CallTable[K]['output']>;

export const CALL_NAMES = Object.keys(CALLS) as readonly CallName[];
export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.hasOwn(CALLS, name);
}

/** The async client: one method per call. A call without input takes no argument. */
export type StudioApi = {
  readonly [K in CallName]: undefined extends CallInput<K>
    ? (input?: CallInput<K>) => Promise<Result<CallOutput<K>>>
    : (input: CallInput<K>) => Promise<Result<CallOutput<K>>>;
};

/** Main's side: one handler per call; it receives a validated input and throws on failure. */
export type StudioHandlers = {
  readonly [K in CallName]: (input: ParsedCallInput<K>) => Promise<CallOutput<K>>;
};
