/**
 * The things that cross the renderer↔main boundary: generation parameters, jobs, models, images, albums,
 * settings. Everything is JSON-safe (no bytes, no Dates, no undefined in arrays) because the same values travel
 * over Electron IPC and over the web host's WebSocket.
 *
 * The contract imports nothing but zod, so a few lists that main-side modules also define (samplers, image
 * sorts, limits) are written here again; test/unit/electron/contract checks that the copies agree.
 *
 * Runtime: plain TypeScript (renderer, preload, main, web host, web client).
 */
import { z } from 'zod';
import { StudioError } from './result';

export const SAMPLERS = ['euler', 'euler-a', 'ddim', 'dpmpp-2m', 'dpmpp-2m-karras', 'lcm'] as const;
export type Sampler = (typeof SAMPLERS)[number];

export const EXECUTION_PROVIDERS = ['cuda', 'dml', 'coreml', 'cpu'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

/** The same bounds as the engine's (inference/protocol LIMITS). */
export const GENERATION_LIMITS = {
  maxSteps: 150,
  maxGuidance: 30,
  minSide: 64,
  maxSide: 2048,
  maxBatchSize: 16,
  /** Jobs one submission may queue. */
  maxBatchCount: 100,
  maxPromptChars: 20_000,
  maxSeed: Number.MAX_SAFE_INTEGER,
} as const;

const id = z.number().int().positive();
export const JobId = id;
export const ImageId = id;
export const AlbumId = id;
const time = z.number().int();
const text = (max: number) => z.string().max(max);

const side = z
  .number()
  .int()
  .min(GENERATION_LIMITS.minSide)
  .max(GENERATION_LIMITS.maxSide)
  .refine((v) => v % 8 === 0, { message: 'must be a multiple of 8' });
const seed = z.number().int().min(0).max(GENERATION_LIMITS.maxSeed);

// ---- Generation ---------------------------------------------------------------------------------------------

/** What the Generate screen submits. */
export const GenerationInput = z
  .object({
    /** An id from `listModels`. */
    modelId: text(200).min(1),
    prompt: text(GENERATION_LIMITS.maxPromptChars),
    negativePrompt: text(GENERATION_LIMITS.maxPromptChars).default(''),
    sampler: z.enum(SAMPLERS),
    steps: z.number().int().min(1).max(GENERATION_LIMITS.maxSteps),
    guidance: z.number().min(0).max(GENERATION_LIMITS.maxGuidance),
    /** null: a random seed. Job i of the submission uses seed + i × batchSize (AUTOMATIC1111's rule). */
    seed: seed.nullable(),
    width: side,
    height: side,
    /** Images per job, generated together. */
    batchSize: z.number().int().min(1).max(GENERATION_LIMITS.maxBatchSize).default(1),
    /** Jobs queued by this submission, one after the other. */
    batchCount: z.number().int().min(1).max(GENERATION_LIMITS.maxBatchCount).default(1),
    /** A platform companion (`listCompanions`): its traits join the prompt by the companion template, and the images link to it. */
    companionId: z.string().min(1).max(100).optional(),
  })
  .strict()
  .readonly();
export type GenerationInput = z.input<typeof GenerationInput>;

/** One job's parameters, with its seed resolved: re-running them reproduces the images. */
export const GenerationParams = z
  .object({
    modelId: z.string(),
    modelName: z.string(),
    prompt: z.string(),
    negativePrompt: z.string(),
    sampler: z.enum(SAMPLERS),
    steps: z.number().int(),
    guidance: z.number(),
    seed,
    width: z.number().int(),
    height: z.number().int(),
    batchSize: z.number().int(),
  })
  .readonly();
export type GenerationParams = z.infer<typeof GenerationParams>;

export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;

export const JobProgress = z.object({ step: z.number().int(), totalSteps: z.number().int() }).readonly();

export const JobView = z
  .object({
    id: JobId,
    status: z.enum(JOB_STATUSES),
    /** Order among queued jobs (smaller runs first); meaningless for the others. */
    position: z.number(),
    /** How many times the job was started (a crash or a restart starts it again). */
    attempts: z.number().int(),
    /** Why it failed, or why it was last retried. */
    error: z.string().nullable(),
    params: GenerationParams,
    imageIds: z.array(ImageId).readonly(),
    createdAt: time,
    updatedAt: time,
    /** For a running job: the last step the engine reported. */
    progress: JobProgress.nullable(),
  })
  .readonly();
export type JobView = z.infer<typeof JobView>;

export const QueueView = z.object({ paused: z.boolean(), jobs: z.array(JobView).readonly() }).readonly();
export type QueueView = z.infer<typeof QueueView>;

/** A live preview: a small PNG as a data URL, at the latent resolution (scale it up with CSS). */
export const PreviewImage = z
  .object({
    width: z.number().int(),
    height: z.number().int(),
    dataUrl: z.string().startsWith('data:image/png;base64,'),
  })
  .readonly();
export type PreviewImage = z.infer<typeof PreviewImage>;

// ---- Models -------------------------------------------------------------------------------------------------

const modelBase = {
  id: z.string(),
  path: z.string(),
  /** The model that ships with the studio; it cannot be removed. */
  builtin: z.boolean(),
};

export const ModelEntry = z.discriminatedUnion('usable', [
  z
    .object({
      ...modelBase,
      usable: z.literal(true),
      name: z.string(),
      family: z.enum(['sd1', 'sd2', 'sdxl', 'custom']),
      /** AUTOMATIC1111's "Model hash". */
      hash: z.string(),
      nativeWidth: z.number().int(),
      nativeHeight: z.number().int(),
      maxTokens: z.number().int(),
      defaultSampler: z.enum(SAMPLERS),
    })
    .readonly(),
  z.object({ ...modelBase, usable: z.literal(false), error: StudioError }).readonly(),
]);
export type ModelEntry = z.infer<typeof ModelEntry>;

export const TokenCount = z
  .object({
    tokenCount: z.number().int(),
    maxTokens: z.number().int(),
    /** Tokens past the limit, which the model will not see. */
    truncated: z.number().int(),
  })
  .readonly();
export type TokenCount = z.infer<typeof TokenCount>;

// ---- Library ------------------------------------------------------------------------------------------------

export const IMAGE_SORTS = ['newest', 'oldest', 'most_liked', 'most_tokens', 'rating', 'relevance'] as const;
export type ImageSort = (typeof IMAGE_SORTS)[number];

/** The gallery's filters (the library checks them again: db/query.ts). */
export const ImageFilters = z
  .object({
    /** Search box input: words, "phrases", -excluded, prefix*. */
    text: text(1000).optional(),
    since: time.optional(),
    until: time.optional(),
    models: z.array(z.string()).max(100).readonly().optional(),
    samplers: z.array(z.string()).max(100).readonly().optional(),
    width: z.number().int().positive().optional(),
    height: z.number().int().positive().optional(),
    aspect: z.enum(['square', 'portrait', 'landscape']).optional(),
    favourite: z.boolean().optional(),
    minRating: z.number().int().min(0).max(5).optional(),
    albumId: AlbumId.optional(),
    companionId: z.string().optional(),
    published: z.boolean().optional(),
    tag: z.string().optional(),
    trashed: z.boolean().optional(),
  })
  .strict()
  .readonly();
export type ImageFilters = z.infer<typeof ImageFilters>;

export const ImageQuery = z
  .object({
    filters: ImageFilters.default({}),
    sort: z.enum(IMAGE_SORTS).default('newest'),
    limit: z.number().int().min(1).max(1000).default(100),
    /** `nextCursor` of the previous page. */
    cursor: z.string().max(200).optional(),
  })
  .strict()
  .readonly();
export type ImageQuery = z.input<typeof ImageQuery>;

/** Which images an edit applies to: a selection of ids, or everything the filters match ("select all"). */
export const ImageSelection = z.union([
  z.object({ ids: z.array(ImageId).min(1).max(100_000).readonly() }).strict().readonly(),
  z.object({ filters: ImageFilters }).strict().readonly(),
]);
export type ImageSelection = z.infer<typeof ImageSelection>;

export const ImageSummary = z
  .object({
    id: ImageId,
    contentHash: z.string(),
    /** Relative to the library; turn into a URL with the client's `fileUrl`. */
    filePath: z.string(),
    thumbnailPath: z.string().nullable(),
    format: z.enum(['png', 'jpeg', 'webp']),
    fileSize: z.number().int(),
    prompt: z.string(),
    negativePrompt: z.string(),
    modelName: z.string().nullable(),
    modelHash: z.string().nullable(),
    sampler: z.string().nullable(),
    steps: z.number().int().nullable(),
    guidance: z.number().nullable(),
    seed: z.number().int().nullable(),
    width: z.number().int(),
    height: z.number().int(),
    createdAt: time,
    importedAt: time,
    source: z.enum(['studio', 'a1111', 'comfyui', 'invokeai', 'fooocus', 'unknown']),
    favourite: z.boolean(),
    rating: z.number().int(),
    companionId: z.string().nullable(),
    syncState: z.enum(['local', 'queued', 'publishing', 'published', 'failed']),
    remoteId: z.string().nullable(),
    likes: z.number().int(),
    tokensSpent: z.number().int(),
    deletedAt: time.nullable(),
    /** Set when the file was found missing from the library folder. */
    missingAt: time.nullable(),
  })
  .readonly();
export type ImageSummary = z.infer<typeof ImageSummary>;

export const ImageDetails = z
  .object({
    ...ImageSummary.unwrap().shape,
    tags: z.array(z.string()).readonly(),
    albums: z.array(z.object({ id: AlbumId, name: z.string() }).readonly()).readonly(),
  })
  .readonly();
export type ImageDetails = z.infer<typeof ImageDetails>;

export const ImagePage = z.object({ items: z.array(ImageSummary).readonly(), nextCursor: z.string().nullable() }).readonly();
export type ImagePage = z.infer<typeof ImagePage>;

export const Album = z
  .object({
    id: AlbumId,
    name: z.string(),
    coverImageId: ImageId.nullable(),
    /** The cover's thumbnail (library-relative, for `fileUrl`), while the cover is not in the trash. */
    coverThumbnailPath: z.string().nullable(),
    /** Set for a smart album: the saved search that defines its images. */
    smartFilters: ImageFilters.nullable(),
    createdAt: time,
    updatedAt: time,
    /** Members of a regular album; null for a smart album (count it with `countImages({ albumId })`). */
    imageCount: z.number().int().nullable(),
  })
  .readonly();
export type Album = z.infer<typeof Album>;

export const Tag = z.object({ name: z.string(), count: z.number().int() }).readonly();

export const ImportProgress = z
  .object({
    total: z.number().int(),
    processed: z.number().int(),
    imported: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.number().int(),
  })
  .readonly();
export type ImportProgress = z.infer<typeof ImportProgress>;

export const ImportReport = z
  .object({
    imported: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.array(z.object({ file: z.string(), reason: z.string(), message: z.string() }).readonly()).readonly(),
    imageIds: z.array(ImageId).readonly(),
  })
  .readonly();
export type ImportReport = z.infer<typeof ImportReport>;

export const ExportReport = z.object({ exported: z.number().int(), missing: z.array(ImageId).readonly() }).readonly();

// ---- Settings -----------------------------------------------------------------------------------------------

export const Settings = z
  .object({
    /** null: the platform's default folder (or --library / STUDIO_LIBRARY). */
    libraryDir: z.string().min(1).nullable(),
    /** `auto`: the fastest provider available here (CUDA, DirectML or Core ML, else the CPU). */
    executionProvider: z.enum(['auto', ...EXECUTION_PROVIDERS]),
    /** Model folders the user added, besides the embedded model and the models folder's own. */
    modelFolders: z.array(z.string().min(1)).max(200).readonly(),
    language: z.enum(['system', 'en', 'fr']),
    /** What the Generate screen starts with. */
    defaults: z
      .object({
        modelId: z.string().nullable(),
        sampler: z.enum(SAMPLERS).nullable(),
        steps: z.number().int().min(1).max(GENERATION_LIMITS.maxSteps),
        guidance: z.number().min(0).max(GENERATION_LIMITS.maxGuidance),
        negativePrompt: text(GENERATION_LIMITS.maxPromptChars),
        batchSize: z.number().int().min(1).max(GENERATION_LIMITS.maxBatchSize),
        batchCount: z.number().int().min(1).max(GENERATION_LIMITS.maxBatchCount),
      })
      .strict()
      .readonly(),
  })
  .strict()
  .readonly();
export type Settings = z.infer<typeof Settings>;

export const DEFAULT_SETTINGS: Settings = {
  libraryDir: null,
  executionProvider: 'auto',
  modelFolders: [],
  language: 'system',
  defaults: { modelId: null, sampler: null, steps: 20, guidance: 7, negativePrompt: '', batchSize: 1, batchCount: 1 },
};

export const SystemInfo = z
  .object({
    version: z.string(),
    /** The library in use now (a changed `libraryDir` setting applies at the next start). */
    libraryDir: z.string(),
    modelsFolder: z.string(),
    providers: z.array(z.object({ name: z.enum(EXECUTION_PROVIDERS), available: z.boolean(), reason: z.string().optional() }).readonly()).readonly(),
  })
  .readonly();
export type SystemInfo = z.infer<typeof SystemInfo>;
