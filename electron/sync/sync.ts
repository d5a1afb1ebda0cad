/**
 * The sync module as the Studio uses it: one object holding the platform client, the session, the companion
 * cache, the outbox worker and the gallery, with the operations the contract's platform calls need.
 * Runtime: main-side Node (no Electron: the desktop's secret store comes in through `SecretStore`).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { durableTransaction, enqueuePublish, getImage, listPublishes, type Library, type PublishJob } from '../../db/index';
import { PlatformAuth } from './auth';
import { PlatformClient, type PlatformClientOptions, type SyncLog } from './client';
import { Companions } from './companions';
import { PlatformError } from './errors';
import { downloadOriginal, listGallery, setLike, type GalleryQuery } from './gallery';
import { moderateLocally } from './moderation';
import { generationOf, Publisher, unpublishRemote, type PublisherOptions, type PublishProgress } from './publisher';
import type { SecretStore, SecretStoreStatus } from './secrets';
import { ModerationResult, Quote, RemoteImage, User, Wallet, type GalleryPage, type LikeState, type Plan, type Verdict } from './wire';

export interface PlatformSyncOptions {
  readonly library: Library;
  /** The platform's base URL (STUDIO_PLATFORM_URL). */
  readonly baseUrl: string;
  readonly secrets: SecretStore;
  /** The companion cache and prompt template; `<library>/sync` unless given. */
  readonly dir?: string;
  /** The expected `iss` of access tokens; the base URL unless given. */
  readonly issuer?: string;
  readonly client?: Omit<PlatformClientOptions, 'baseUrl' | 'log'>;
  readonly publisher?: PublisherOptions;
  readonly log?: SyncLog;
  readonly onProgress?: (progress: PublishProgress) => void;
}

export interface Account {
  readonly signedIn: boolean;
  readonly email: string | null;
  readonly displayName: string | null;
  readonly plan: Plan | null;
  readonly balance: number | null;
  /** Whether the session survives a restart (false: the secret store could not protect it). */
  readonly remembered: boolean;
  readonly secretStore: SecretStoreStatus;
}

export interface PublishQuote {
  readonly items: readonly { readonly imageId: number; readonly price: number; readonly moderation: Verdict; readonly terms: readonly string[] }[];
  readonly total: number;
  readonly balance: number;
  readonly balanceAfter: number;
  readonly sufficient: boolean;
}

export interface PublishRequestResult {
  readonly outboxId: number | null;
  readonly imageId: number;
  readonly state: PublishJob['state'] | null;
  readonly syncState: 'queued' | 'publishing' | 'published' | 'failed' | 'local';
}

/** How long the plan (moderation level) is reused before asking the platform again. */
const PLAN_TTL_MS = 60_000;

export class PlatformSync {
  readonly client: PlatformClient;
  readonly auth: PlatformAuth;
  readonly companions: Companions;
  readonly publisher: Publisher;
  private readonly library: Library;
  private readonly log: SyncLog;
  private planCache: { readonly plan: Plan; readonly at: number } | null = null;

  constructor(options: PlatformSyncOptions) {
    this.library = options.library;
    this.log = options.log ?? (() => undefined);
    this.client = new PlatformClient({ ...options.client, baseUrl: options.baseUrl, log: this.log });
    this.auth = new PlatformAuth(this.client, options.secrets, { ...(options.issuer === undefined ? {} : { issuer: options.issuer }), log: this.log });
    this.companions = new Companions(this.client, options.dir ?? path.join(options.library.dir, 'sync'), this.log);
    this.publisher = new Publisher(
      { library: options.library, client: this.client, plan: () => this.plan(), onProgress: options.onProgress ?? (() => undefined), log: this.log },
      options.publisher,
    );
  }

  /** Starts the outbox worker: rows left by an earlier run resume. */
  start(): void {
    this.publisher.start();
  }

  async close(): Promise<void> {
    await this.publisher.close();
    this.client.close();
  }

  // ---- account --------------------------------------------------------------------------------------------

  async account(): Promise<Account> {
    const secretStore = await this.auth.secretStoreStatus();
    const session = await this.auth.signedInAs();
    const signedOut: Account = { signedIn: false, email: null, displayName: null, plan: null, balance: null, remembered: false, secretStore };
    if (session === null) return signedOut;
    try {
      const [user, wallet] = await Promise.all([
        this.client.request({ method: 'GET', path: '/v1/me', signed: true, retryable: true }, User),
        this.client.request({ method: 'GET', path: '/v1/wallet', signed: true, retryable: true }, Wallet),
      ]);
      this.planCache = { plan: user.plan, at: Date.now() };
      return { signedIn: true, email: user.email, displayName: user.displayName, plan: user.plan, balance: wallet.balance, remembered: session.remembered, secretStore };
    } catch (error) {
      if (error instanceof PlatformError && error.code === 'UNAUTHENTICATED') return signedOut;
      throw error;
    }
  }

  async signIn(email: string, password: string, allowUnprotected = false): Promise<Account> {
    await this.auth.signIn(email, password, { allowUnprotected });
    this.planCache = null;
    this.publisher.wake();
    return this.account();
  }

  async signOut(): Promise<Account> {
    await this.auth.signOut();
    this.planCache = null;
    return this.account();
  }

  private async plan(): Promise<Plan> {
    if (this.planCache !== null && Date.now() - this.planCache.at < PLAN_TTL_MS) return this.planCache.plan;
    const user = await this.client.request({ method: 'GET', path: '/v1/me', signed: true, retryable: true }, User);
    this.planCache = { plan: user.plan, at: Date.now() };
    return user.plan;
  }

  // ---- publishing -----------------------------------------------------------------------------------------

  /** The price of publishing these images, the balance after, and each prompt's moderation verdict at the user's plan. */
  async quotePublish(imageIds: readonly number[]): Promise<PublishQuote> {
    const plan = await this.plan();
    const items: PublishQuote['items'][number][] = [];
    let balance = 0;
    for (const imageId of imageIds) {
      const image = await getImage(this.library.db, imageId);
      const generation = generationOf(image);
      const quote = await this.client.request(
        { method: 'POST', path: '/v1/wallet/quotes', body: { action: 'publish', width: image.width, height: image.height, bytes: image.fileSize }, signed: true, retryable: true },
        Quote,
      );
      balance = quote.balance;
      const local = moderateLocally(plan.moderationLevel, generation.prompt);
      const moderation =
        local.verdict === 'allow'
          ? await this.client.request({ method: 'POST', path: '/v1/moderation/check', body: { prompt: generation.prompt }, signed: true, retryable: true }, ModerationResult)
          : local;
      items.push({ imageId, price: quote.price, moderation: moderation.verdict, terms: moderation.categories.flatMap((c) => c.terms) });
    }
    const total = items.reduce((sum, item) => sum + item.price, 0);
    return { items, total, balance, balanceAfter: balance - total, sufficient: balance >= total };
  }

  /**
   * Queues images for publishing, one outbox row each. An image already queued, publishing or published is
   * left as it is (never published or charged twice); one that was unpublished is published again under the
   * consumption that paid for it, without a new charge.
   */
  async publish(imageIds: readonly number[], companionId: string | null = null): Promise<readonly PublishRequestResult[]> {
    if ((await this.auth.signedInAs()) === null) throw new PlatformError('UNAUTHENTICATED', 'Sign in to the platform to publish.');
    // An id given twice is one image to publish once.
    const images = await Promise.all([...new Set(imageIds)].map((id) => getImage(this.library.db, id)));
    for (const image of images) if (image.syncState === 'local' || image.syncState === 'failed') generationOf(image);
    const results: PublishRequestResult[] = [];
    const toQueue: { readonly index: number; readonly image: (typeof images)[number] }[] = [];
    for (const [index, image] of images.entries()) {
      const latest = (await listPublishes(this.library.db, image.id)).at(-1);
      if (image.syncState === 'queued' || image.syncState === 'publishing' || image.syncState === 'published') {
        results.push({ outboxId: latest?.id ?? null, imageId: image.id, state: latest?.state ?? null, syncState: image.syncState });
      } else if (image.syncState === 'local' && image.remoteId !== null && latest?.state === 'published') {
        await this.client.request({ method: 'POST', path: `/v1/images/${encodeURIComponent(image.remoteId)}/publish`, signed: true, retryable: true }, RemoteImage);
        await this.setSyncState(image.id, 'published');
        results.push({ outboxId: latest.id, imageId: image.id, state: latest.state, syncState: 'published' });
      } else {
        results.push({ outboxId: null, imageId: image.id, state: null, syncState: 'queued' });
        toQueue.push({ index, image });
      }
    }
    // One fsynced commit for the whole selection, not one per image.
    await durableTransaction(this.library.db, async (trx) => {
      for (const { index, image } of toQueue) {
        const job = await enqueuePublish(trx, { idempotencyKey: `publish-${randomUUID()}`, imageId: image.id, visibility: 'public', companionId: companionId ?? image.companionId });
        results[index] = { outboxId: job.id, imageId: image.id, state: job.state, syncState: 'queued' };
      }
    });
    this.publisher.wake();
    return results;
  }

  /** Takes a published image out of the public gallery; the library keeps it, marked local again. */
  async unpublish(imageId: number): Promise<void> {
    const image = await getImage(this.library.db, imageId);
    if (image.syncState !== 'published' || image.remoteId === null) throw new PlatformError('CONFLICT', `Image ${imageId} is not published.`);
    await unpublishRemote(this.client, image.remoteId);
    await this.setSyncState(imageId, 'local');
  }

  /** The image's sync state outside the outbox's steps (unpublish and re-publish); the outbox row stays as history. */
  private async setSyncState(imageId: number, state: 'local' | 'published'): Promise<void> {
    await this.library.db.updateTable('images').set({ sync_state: state }).where('id', '=', imageId).execute();
  }

  /** The platform's web page for buying tokens (outside the API: the desktop opens it in the browser). */
  buyTokensUrl(): string {
    return new URL('/wallet/buy', this.client.baseUrl).toString();
  }

  // ---- community gallery ----------------------------------------------------------------------------------

  async listCommunity(query: GalleryQuery): Promise<GalleryPage> {
    return listGallery(this.client, query, (await this.auth.signedInAs()) !== null);
  }

  like(remoteImageId: string, liked: boolean): Promise<LikeState> {
    return setLike(this.client, remoteImageId, liked);
  }

  download(remoteImageId: string): Promise<number> {
    return downloadOriginal(this.client, this.library, remoteImageId);
  }
}
