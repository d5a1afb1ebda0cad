/**
 * The Studio: the composition root shared by the Electron main process, the web host and the CLI. It opens the
 * library, starts the engine pool and the generation queue, keeps the settings, and implements every call of
 * the contract (`handlers`, `dispatch`); events go to whoever subscribes (IPC to windows, WebSocket clients).
 *
 * Runtime: main-side Node.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { copyFile, cp, link, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import {
  addTags,
  addToAlbum,
  countImages,
  createAlbum,
  deleteAlbum,
  exportImages,
  getAlbum,
  getImage,
  importFolder,
  listAlbumImages,
  listAlbums,
  listImages,
  listTags,
  openLibrary,
  removeFromAlbum,
  removeTags,
  renameAlbum,
  reorderAlbum,
  emptyTrash,
  restoreImages,
  setAlbumCover,
  setFavourite,
  setRating,
  setSmartFilters,
  trashImages,
  type Library,
} from '../../db/index';
import type { ModelInfo } from '../../inference/protocol';
import { defaultSecretFile, FileSecretStore, PlatformError, PlatformSync, type PublisherOptions, type SecretStore } from '../sync/index';
import {
  checkEvent,
  createDispatcher,
  DEFAULT_COMPANION_TEMPLATE,
  type Dispatch,
  type ErrorCode,
  type EventName,
  type EventPayload,
  type ModelEntry,
  type Settings,
  type StudioEvent,
  type StudioHandlers,
} from '../contract';
import { EngineCallError, type HostLog } from './engine/host';
import { EnginePool, defaultEngineFactory, type EngineDevice, type EngineFactory } from './engine/pool';
import { StudioFailure, toStudioError } from './errors';
import { EMBEDDED_MODEL, findModels, modelId, modelsFolder } from './models';
import { GenerationQueue, type StoredRequest } from './queue';
import type { SettingsStore } from './settings';

export interface StudioOptions {
  readonly libraryDir: string;
  readonly settings: SettingsStore;
  readonly version: string;
  /** For the models folder (STUDIO_MODELS, XDG_DATA_HOME…). */
  readonly env?: NodeJS.ProcessEnv;
  /** One engine per device; default: one CPU engine. */
  readonly devices?: readonly EngineDevice[];
  readonly engineFactory?: EngineFactory;
  readonly log?: HostLog;
  /** The platform: its URL (else STUDIO_PLATFORM_URL, else the local reference platform), where the session is kept. */
  readonly platform?: { readonly url?: string; readonly secrets?: SecretStore; readonly publisher?: PublisherOptions };
}

/** `npm run platform:dev`'s address: the platform used when none is configured. */
const DEFAULT_PLATFORM_URL = 'http://127.0.0.1:8787';

/** Platform failures in the contract's terms (sync/errors.ts folds the platform's codes into these). */
const PLATFORM_CODES: Readonly<Record<PlatformError['code'], ErrorCode>> = {
  PLATFORM_UNAVAILABLE: 'PLATFORM_UNAVAILABLE',
  RATE_LIMITED: 'PLATFORM_UNAVAILABLE',
  PROTOCOL: 'PLATFORM_UNAVAILABLE',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  INVALID_CREDENTIALS: 'UNAUTHENTICATED',
  INSUFFICIENT_TOKENS: 'INSUFFICIENT_TOKENS',
  MODERATION_BLOCKED: 'MODERATION_BLOCKED',
  MODERATION_REVIEW: 'MODERATION_BLOCKED',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  INVALID_INPUT: 'INVALID_INPUT',
  SECRET_STORE_UNAVAILABLE: 'IO_ERROR',
};

function platformFailure(error: unknown): unknown {
  if (!(error instanceof PlatformError)) return error;
  return new StudioFailure(PLATFORM_CODES[error.code], error.message, { ...error.details, platformCode: error.code });
}

type Listener = (event: StudioEvent) => void;

export class Studio {
  readonly handlers: StudioHandlers;
  readonly dispatch: Dispatch;
  readonly sync: PlatformSync;
  private readonly listeners = new Set<Listener>();
  private readonly queue: GenerationQueue;
  private readonly imports = new Map<string, { readonly controller: AbortController; readonly done: Promise<void> }>();
  /** inspect results by model path, for the Studio's lifetime (inspecting hashes the UNet). */
  private readonly inspected = new Map<string, Promise<ModelInfo>>();
  private closed: Promise<void> | null = null;

  private constructor(
    readonly library: Library,
    private readonly pool: EnginePool,
    private readonly store: SettingsStore,
    private settings: Settings,
    private readonly options: StudioOptions,
    private readonly log: HostLog,
  ) {
    this.queue = new GenerationQueue(library, pool, (name, payload) => this.emit(name, payload), (level, message, error) =>
      log(level, error === undefined ? message : `${message}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
    );
    const env = options.env ?? process.env;
    const platformUrl = options.platform?.url ?? env['STUDIO_PLATFORM_URL'] ?? DEFAULT_PLATFORM_URL;
    const usable = URL.canParse(platformUrl) && /^https?:$/.test(new URL(platformUrl).protocol);
    // A mistyped address must not stop the studio from starting: the log says which one is used instead.
    if (!usable) log('error', `the platform URL "${platformUrl}" is not an http(s) URL; using ${DEFAULT_PLATFORM_URL}`);
    this.sync = new PlatformSync({
      library,
      baseUrl: usable ? platformUrl : DEFAULT_PLATFORM_URL,
      secrets: options.platform?.secrets ?? new FileSecretStore(defaultSecretFile(env)),
      ...(options.platform?.publisher === undefined ? {} : { publisher: options.platform.publisher }),
      log: (level, message) => log(level, message),
      onProgress: (progress) => {
        this.emit('sync.progress', progress);
        // A charge or a refund moved the balance the Account screen and the publish dialog show.
        if (progress.state === 'charged' || progress.state === 'refunded') {
          this.sync.account().then(
            (account) => this.emit('account.changed', { account }),
            (error: unknown) => log('warn', `platform: the balance could not be refreshed: ${error instanceof Error ? error.message : String(error)}`),
          );
        }
      },
    });
    this.handlers = this.createHandlers();
    this.dispatch = createDispatcher(this.handlers, (error) =>
      toStudioError(platformFailure(error), (message, e) => log('error', `${message}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)),
    );
  }

  /** Opens the library (reconciling after a crash), starts the engines, and resumes the queue where it stopped. */
  static async open(options: StudioOptions): Promise<Studio> {
    const log = options.log ?? (() => undefined);
    const settings = await options.settings.load();
    const { library, reconciled } = await openLibrary(options.libraryDir);
    if (reconciled !== null) log('info', `the library was not closed cleanly; reconciled: ${JSON.stringify(reconciled)}`);
    let pool: EnginePool;
    try {
      pool = new EnginePool(options.devices ?? [{ name: 'cpu' }], options.engineFactory ?? defaultEngineFactory, log);
      pool.setProviders(settings.executionProvider === 'auto' ? undefined : [settings.executionProvider]);
      await pool.ready();
    } catch (error) {
      await library.close();
      throw error;
    }
    const studio = new Studio(library, pool, options.settings, settings, options, log);
    studio.queue.pump();
    studio.sync.start();
    return studio;
  }

  /** Receives every event; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    // Checked against the contract before it leaves: a malformed event is a bug here, not in the renderer.
    const event = checkEvent(name, payload) as StudioEvent;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.log('error', `an event listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** Finishes writes, re-queues running jobs, stops the engines and closes the library. Idempotent. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      for (const { controller } of this.imports.values()) controller.abort();
      await this.queue.close();
      await this.sync.close();
      await Promise.allSettled([...this.imports.values()].map((i) => i.done));
      await this.library.close();
    })();
    return this.closed;
  }

  // ---- models -----------------------------------------------------------------------------------------------

  private async modelPaths(): Promise<readonly string[]> {
    const found = await findModels(this.options.env ?? process.env);
    return [...new Set([...found, ...this.settings.modelFolders.map((p) => resolve(p))])];
  }

  private inspect(path: string): Promise<ModelInfo> {
    let info = this.inspected.get(path);
    if (info === undefined) {
      info = this.pool.anyEngine().call({ type: 'inspect', model: path });
      this.inspected.set(path, info);
      // A failure is not cached: fixing the folder and asking again must work.
      info.catch(() => this.inspected.delete(path));
    }
    return info;
  }

  private async modelEntry(path: string): Promise<ModelEntry> {
    const base = { id: modelId(path), path, builtin: path === EMBEDDED_MODEL };
    try {
      const info = await this.inspect(path);
      return {
        ...base,
        usable: true,
        name: info.name,
        family: info.family,
        hash: info.hash,
        nativeWidth: info.nativeWidth,
        nativeHeight: info.nativeHeight,
        maxTokens: info.maxTokens,
        defaultSampler: info.defaultSampler,
      };
    } catch (error) {
      if (!(error instanceof EngineCallError)) throw error;
      return { ...base, usable: false, error: toStudioError(error) };
    }
  }

  private async resolveModel(id: string): Promise<{ path: string; info: ModelInfo }> {
    const path = (await this.modelPaths()).find((p) => modelId(p) === id);
    if (path === undefined) throw new StudioFailure('MODEL_NOT_FOUND', 'That model is no longer in the model list; choose another one.', { modelId: id });
    return { path, info: await this.inspect(path) };
  }

  private async saveSettings(next: Settings): Promise<Settings> {
    await this.store.save(next);
    this.settings = next;
    this.pool.setProviders(next.executionProvider === 'auto' ? undefined : [next.executionProvider]);
    this.emit('settings.changed', { settings: next });
    return next;
  }

  // ---- the contract -----------------------------------------------------------------------------------------

  private createHandlers(): StudioHandlers {
    const db = this.library.db;
    const albums = <T>(work: Promise<T>): Promise<T> => work.then((value) => (this.emit('library.changed', { what: 'albums' }), value));
    const changed = (work: Promise<number>, what: 'images' | 'albums' | 'tags') =>
      work.then((count) => {
        if (count > 0) this.emit('library.changed', { what });
        return { changed: count };
      });
    return {
      submitGeneration: async (input) => {
        const { path, info } = await this.resolveModel(input.modelId);
        const companionId = input.companionId ?? null;
        // The companion's traits join the prompt by the user's template (from the cache: works offline).
        const prompt = companionId === null ? input.prompt : await this.sync.companions.promptFor(input.prompt, companionId);
        // A random seed is drawn once per submission; jobs then step from it, so the whole batch can be redone.
        const first = input.seed ?? randomInt(0, 2 ** 32);
        const requests: StoredRequest[] = Array.from({ length: input.batchCount }, (_, i) => ({
          modelPath: path,
          companionId,
          params: {
            modelId: input.modelId,
            modelName: info.name,
            prompt,
            negativePrompt: input.negativePrompt,
            sampler: input.sampler,
            steps: input.steps,
            guidance: input.guidance,
            seed: Math.min(first + i * input.batchSize, Number.MAX_SAFE_INTEGER),
            width: input.width,
            height: input.height,
            batchSize: input.batchSize,
          },
        }));
        return { jobIds: await this.queue.submit(requests) };
      },
      listQueue: (input) => this.queue.list(input?.finishedLimit ?? 50),
      pauseQueue: () => this.queue.pause(),
      resumeQueue: () => this.queue.resume(),
      moveJob: (input) => this.queue.move(input.jobId, input.beforeJobId),
      cancelJob: async (input) => ({ cancelled: await this.queue.cancel(input.jobId) }),
      retryJob: (input) => this.queue.retry(input.jobId),

      listModels: async () => Promise.all((await this.modelPaths()).map((p) => this.modelEntry(p))),
      tokenize: async (input) => {
        const { path } = await this.resolveModel(input.modelId);
        const result = await this.pool.anyEngine().call({ type: 'tokenize', model: path, text: input.text });
        return { tokenCount: result.tokenCount, maxTokens: result.maxTokens, truncated: result.truncated };
      },
      addModelFolder: async (input) => {
        const path = resolve(input.path);
        this.inspected.delete(path);
        const entry = await this.modelEntry(path);
        if (!entry.usable) throw new StudioFailure(entry.error.code, `${path} is not a usable model folder: ${entry.error.message}`, { path });
        if (!(await this.modelPaths()).includes(path)) await this.saveSettings({ ...this.settings, modelFolders: [...this.settings.modelFolders, path] });
        return entry;
      },
      removeModelFolder: async (input) => {
        const kept = this.settings.modelFolders.filter((p) => modelId(resolve(p)) !== input.modelId);
        if (kept.length === this.settings.modelFolders.length) {
          throw new StudioFailure('NOT_FOUND', 'Only model folders added in the settings can be removed.', { modelId: input.modelId });
        }
        await this.saveSettings({ ...this.settings, modelFolders: kept });
        return {};
      },

      listImages: (input) => listImages(db, input),
      countImages: async (input) => ({ count: await countImages(db, input.filters, input.upTo === undefined ? {} : { upTo: input.upTo }) }),
      getImage: (input) => getImage(db, input.imageId),
      setFavourite: (input) => changed(setFavourite(db, input.selection, input.favourite), 'images'),
      setRating: (input) => changed(setRating(db, input.selection, input.rating), 'images'),
      addTags: (input) => changed(addTags(db, input.selection, input.tags), 'tags'),
      removeTags: (input) => changed(removeTags(db, input.selection, input.tags), 'tags'),
      listTags: () => listTags(db),
      trashImages: (input) => changed(trashImages(db, input.selection), 'images'),
      restoreImages: (input) => changed(restoreImages(db, input.selection), 'images'),
      emptyTrash: async (input) => {
        const emptied = await emptyTrash(this.library, input.selection);
        if (emptied.deleted > 0) {
          this.emit('library.changed', { what: 'images' });
          // Their album memberships went with them.
          this.emit('library.changed', { what: 'albums' });
        }
        return emptied;
      },

      listAlbums: () => listAlbums(db),
      createAlbum: (input) => albums(createAlbum(db, input.smartFilters === undefined ? { name: input.name } : { name: input.name, smartFilters: input.smartFilters })),
      renameAlbum: (input) => albums(renameAlbum(db, input.albumId, input.name).then(() => getAlbum(db, input.albumId))),
      setSmartFilters: (input) => albums(setSmartFilters(db, input.albumId, input.filters).then(() => getAlbum(db, input.albumId))),
      deleteAlbum: (input) => albums(deleteAlbum(db, input.albumId).then(() => ({}))),
      addToAlbum: (input) => changed(addToAlbum(db, input.albumId, input.selection), 'albums'),
      removeFromAlbum: (input) => changed(removeFromAlbum(db, input.albumId, input.selection), 'albums'),
      reorderAlbum: (input) => albums(reorderAlbum(db, input.albumId, input.imageIds, input.beforeImageId).then(() => ({}))),
      setAlbumCover: (input) => albums(setAlbumCover(db, input.albumId, input.imageId).then(() => getAlbum(db, input.albumId))),
      listAlbumImages: (input) => listAlbumImages(db, input.albumId, input.cursor === undefined ? { limit: input.limit } : { limit: input.limit, cursor: input.cursor }),

      startImport: async (input) => ({ importId: this.startImport(resolve(input.folder)) }),
      importFiles: async (input) => {
        const staging = await stageFiles(input.paths.map((p) => resolve(p)));
        return { importId: this.startImport(staging, () => rm(staging, { recursive: true, force: true })) };
      },
      exportImages: (input) => {
        const given = 'folder' in input.target ? input.target.folder : input.target.zip;
        const target = 'folder' in input.target ? { folder: resolve(given) } : { zip: resolve(given) };
        // At most ten progress events a second, and the end once.
        let last = 0;
        let finished = false;
        return exportImages(this.library, input.source, target, {
          onProgress: ({ done, total }) => {
            const now = Date.now();
            if (finished || (done < total && now - last < 100)) return;
            last = now;
            finished = done === total;
            this.emit('export.progress', { target: given, done, total });
          },
        });
      },

      getSettings: async () => this.settings,
      updateSettings: (input) => this.saveSettings(input),
      getSystemInfo: async () => {
        const devices = await this.pool.anyEngine().call({ type: 'devices' });
        return {
          version: this.options.version,
          libraryDir: this.library.dir,
          modelsFolder: modelsFolder(this.options.env ?? process.env),
          providers: devices.providers,
        };
      },

      ...this.platformHandlers(),
    };
  }

  private platformHandlers(): Pick<
    StudioHandlers,
    | 'signIn'
    | 'signOut'
    | 'getAccount'
    | 'quotePublish'
    | 'publishImages'
    | 'unpublishImage'
    | 'listCompanions'
    | 'getCompanionTemplate'
    | 'setCompanionTemplate'
    | 'listCommunity'
    | 'likeImage'
    | 'unlikeImage'
    | 'downloadCommunityImage'
    | 'openBuyTokens'
  > {
    const sync = this.sync;
    const account = async <T>(work: Promise<T>): Promise<T> => {
      const value = await work;
      this.emit('account.changed', { account: await sync.account() });
      return value;
    };
    const template = async () => ({ template: await sync.companions.template(), defaultTemplate: DEFAULT_COMPANION_TEMPLATE });
    return {
      signIn: (input) => account(sync.signIn(input.email, input.password, input.allowUnprotectedStorage)),
      signOut: () => account(sync.signOut()),
      getAccount: () => sync.account(),
      quotePublish: (input) => sync.quotePublish(input.imageIds),
      publishImages: async (input) => {
        const items = await sync.publish(input.imageIds, input.companionId);
        this.emit('library.changed', { what: 'images' });
        return { items };
      },
      unpublishImage: async (input) => {
        await sync.unpublish(input.imageId);
        this.emit('library.changed', { what: 'images' });
        return { imageId: input.imageId, syncState: 'local' as const };
      },
      listCompanions: () => sync.companions.list(),
      getCompanionTemplate: template,
      setCompanionTemplate: async (input) => {
        await sync.companions.setTemplate(input.template);
        return template();
      },
      listCommunity: (input) =>
        sync.listCommunity({
          sort: input.sort,
          limit: input.limit,
          ...(input.cursor === undefined ? {} : { cursor: input.cursor }),
          ...(input.companionId === undefined ? {} : { companionId: input.companionId }),
        }),
      likeImage: (input) => sync.like(input.remoteImageId, true),
      unlikeImage: (input) => sync.like(input.remoteImageId, false),
      downloadCommunityImage: async (input) => {
        const imageId = await sync.download(input.remoteImageId);
        this.emit('library.changed', { what: 'images' });
        return { imageId };
      },
      openBuyTokens: async () => ({ url: sync.buyTokensUrl() }),
    };
  }

  /** `cleanup` runs once the import is over, whatever its outcome. */
  private startImport(folder: string, cleanup: () => Promise<void> = async () => undefined): string {
    const importId = randomUUID();
    const controller = new AbortController();
    const done = importFolder(this.library, folder, {
      signal: controller.signal,
      onProgress: (progress) => this.emit('import.progress', { importId, progress }),
    })
      .finally(cleanup)
      .then(
        (report) => {
          this.emit('import.done', { importId, report });
          if (report.imported > 0) this.emit('library.changed', { what: 'images' });
        },
        (error: unknown) => this.emit('import.failed', { importId, error: toStudioError(error, (m, e) => this.log('error', `import ${importId}: ${m}: ${String(e)}`)) }),
      );
    this.imports.set(importId, { controller, done: done.finally(() => this.imports.delete(importId)) });
    return importId;
  }
}

/**
 * Gathers files and folders into one new temporary folder for `importFolder`: files are hard-linked where the
 * file system allows (no copy), else copied; folders are copied. Names that collide go in numbered subfolders.
 */
async function stageFiles(paths: readonly string[]): Promise<string> {
  const staging = await mkdtemp(join(tmpdir(), 'studio-staging-'));
  try {
    const used = new Set<string>();
    for (const [i, source] of paths.entries()) {
      const info = await stat(source).catch(() => {
        throw new StudioFailure('NOT_FOUND', `${source} cannot be imported: it does not exist or cannot be read.`, { path: source });
      });
      const name = basename(source);
      const target = used.has(name) ? join(staging, String(i), name) : join(staging, name);
      used.add(name);
      await mkdir(resolve(target, '..'), { recursive: true });
      if (info.isDirectory()) await cp(source, target, { recursive: true });
      else await link(source, target).catch(() => copyFile(source, target));
    }
    return staging;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
