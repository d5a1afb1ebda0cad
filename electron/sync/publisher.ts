/**
 * The outbox worker (DESIGN.md › Publish). Each outbox row goes through
 *
 *   pending ─(local, then platform moderation)→ moderated ─(consume with the row's key)→ charged
 *     ─(upload original + thumbnail)→ uploaded ─(register with the key)→ registered ─(publish)→ published
 *
 * one step at a time, each step's completion committed to the row (db/outbox.ts) before the next begins, so a
 * restart resumes where the row stands. Every platform call a step makes is idempotent by the row's key or by
 * the resource, so repeating a step whose answer was lost never charges or publishes twice.
 *
 * Failures: a transient one (the platform away or busy, a 429, an idempotent request still in flight) is
 * retried after an exponential backoff with full jitter, never sooner than Retry-After; the next attempt time
 * is written in the row, so the wait survives a restart. A row gives up after `maxAttempts` claims, or at once
 * on a permanent failure (moderation, insufficient tokens, an image that cannot be published):
 *   - before the charge (pending): `failed`, nothing to give back;
 *   - at `moderated` only a permanent answer gives up (a lost consume answer may have charged, and the
 *     consume is idempotent, so it is retried until the platform says yes or no);
 *   - after the charge (charged, uploaded, registered): `refunding` → `refunded`, the refund keyed by the same
 *     key; a refund is never given up. A registered image whose publish answer was lost is looked up first:
 *     if it is published, the row is too (the platform refuses to refund a published image).
 *
 * Up to `concurrency` rows are worked at once, each claimed (leased, db/outbox.ts) when a slot frees; the
 * claim leaves out the rows this worker holds, so it never works a row twice at once. Runtime: main-side Node.
 */
import { setMaxListeners } from 'node:events';
import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import {
  advancePublish,
  claimDuePublishes,
  getImage,
  LibraryError,
  recordPublishFailure,
  TERMINAL_OUTBOX_STATES,
  type ImageDetails,
  type ImageSyncState,
  type Library,
  type OutboxState,
  type PublishJob,
} from '../../db/index';
import { fullJitter, type PlatformClient, type SyncLog } from './client';
import { describeError, PlatformError } from './errors';
import { moderateLocally } from './moderation';
import { Uploads } from './uploads';
import { Consumption, ModerationResult, Refund, RemoteImage, type Generation, type Plan } from './wire';

export interface PublishProgress {
  readonly outboxId: number;
  readonly imageId: number;
  readonly state: OutboxState;
  readonly syncState: ImageSyncState;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly nextAttemptAt: number;
  /** While uploading: bytes of the original and the thumbnail sent, of their total. */
  readonly bytes: { readonly sent: number; readonly total: number } | null;
}

export interface PublisherOptions {
  /** Rows worked at once (each mostly waits on the network); 8 unless given. */
  readonly concurrency?: number;
  /** How long a claimed row stays with this worker before another may take it over; 5 minutes unless given. */
  readonly leaseMs?: number;
  /** Claims of one row before a transient failure is final; 8 unless given. */
  readonly maxAttempts?: number;
  /** Backoff: full jitter over min(cap, base × 2^(attempt − 1)); 2 s and 10 min unless given. */
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
  /** The longest sleep when nothing is due (a new row wakes the worker at once); 30 s unless given. */
  readonly idleMs?: number;
  readonly random?: () => number;
}

export interface PublisherDeps {
  readonly library: Library;
  readonly client: PlatformClient;
  /** The signed-in user's plan (cached by the caller). */
  readonly plan: () => Promise<Plan>;
  readonly onProgress: (progress: PublishProgress) => void;
  readonly log: SyncLog;
}

/** The platform's limits on what it registers (platform-api.yaml › Generation, RegisterImageRequest). */
const MAX_PROMPT = 4000;
const MAX_SIDE = 16384;

const CONTENT_TYPES = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' } as const;

const SYNC_STATES: Readonly<Record<OutboxState, ImageSyncState>> = {
  pending: 'queued',
  moderated: 'publishing',
  charged: 'publishing',
  uploaded: 'publishing',
  registered: 'publishing',
  refunding: 'publishing',
  published: 'published',
  refunded: 'failed',
  failed: 'failed',
};

/** The generation metadata the platform registers, or INVALID_INPUT saying what the image lacks. */
export function generationOf(image: ImageDetails): Generation {
  const missing = [
    image.prompt.trim() === '' ? 'prompt' : null,
    image.modelName === null ? 'model' : null,
    image.sampler === null ? 'sampler' : null,
    image.steps === null ? 'steps' : null,
    image.guidance === null ? 'guidance' : null,
    image.seed === null ? 'seed' : null,
  ].filter((field) => field !== null);
  if (missing.length > 0) {
    throw new PlatformError('INVALID_INPUT', `Image ${image.id} cannot be published without its generation settings (missing: ${missing.join(', ')}).`, {
      details: { imageId: image.id, missing },
    });
  }
  if (image.prompt.length > MAX_PROMPT || image.negativePrompt.length > MAX_PROMPT) {
    throw new PlatformError('INVALID_INPUT', `The platform takes prompts of up to ${MAX_PROMPT} characters.`, { details: { imageId: image.id } });
  }
  if (image.width > MAX_SIDE || image.height > MAX_SIDE) {
    throw new PlatformError('INVALID_INPUT', `The platform takes images of up to ${MAX_SIDE} pixels a side.`, { details: { imageId: image.id } });
  }
  if (image.thumbnailPath === null) throw new PlatformError('INVALID_INPUT', `Image ${image.id} has no thumbnail to publish with it.`);
  return {
    prompt: image.prompt,
    ...(image.negativePrompt === '' ? {} : { negativePrompt: image.negativePrompt }),
    model: image.modelName ?? '',
    sampler: image.sampler ?? '',
    steps: image.steps ?? 0,
    cfgScale: image.guidance ?? 0,
    seed: image.seed ?? 0,
  };
}

/**
 * The outbox row has one `remote_upload_id` column and a publish has two uploads: it holds both, as JSON
 * `{"original": "upl_…", "thumbnail": "upl_…"}`.
 */
const UploadIds = z.object({ original: z.string().min(1), thumbnail: z.string().min(1) });

function uploadIdsOf(job: PublishJob): z.infer<typeof UploadIds> {
  try {
    return UploadIds.parse(JSON.parse(job.remoteUploadId ?? ''));
  } catch {
    throw new PlatformError('PROTOCOL', `Publish job ${job.id} lost its upload ids.`);
  }
}

export class Publisher {
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;
  private readonly idleMs: number;
  private readonly random: () => number;
  private readonly stop = new AbortController();
  private running: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  /** A wake that came while the loop was busy: the next idle returns at once instead of losing it. */
  private woken = false;
  /** The rows being worked, by id, with their runs. */
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly uploads: Uploads;

  constructor(
    private readonly deps: PublisherDeps,
    options: PublisherOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 8;
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.backoffBaseMs = options.backoffBaseMs ?? 2_000;
    this.backoffCapMs = options.backoffCapMs ?? 10 * 60_000;
    this.idleMs = options.idleMs ?? 30_000;
    this.random = options.random ?? Math.random;
    this.uploads = new Uploads(deps.client);
    // Every request in flight listens to this signal (timeouts and aborts combine with it).
    setMaxListeners(0, this.stop.signal);
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** A row was added or made due: look now instead of at the next poll. */
  wake(): void {
    if (this.wakeUp === null) this.woken = true;
    else this.wakeUp();
  }

  /** Stops claiming, interrupts the rows in flight (they stay due and resume at the next start), and waits. */
  async close(): Promise<void> {
    this.stop.abort(new PlatformError('PLATFORM_UNAVAILABLE', 'The studio is closing.'));
    this.wake();
    await this.running;
    this.uploads.close();
  }

  private get closing(): boolean {
    return this.stop.signal.aborted;
  }

  private async loop(): Promise<void> {
    while (!this.closing) {
      const free = this.concurrency - this.inFlight.size;
      let claimed: readonly PublishJob[] = [];
      if (free > 0) {
        try {
          claimed = await claimDuePublishes(this.deps.library.db, Date.now(), free, this.leaseMs, [...this.inFlight.keys()]);
        } catch (error) {
          this.deps.log('error', `publish: cannot claim outbox rows: ${describeError(error)}`);
          await this.idle(this.idleMs);
          continue;
        }
      }
      for (const job of claimed) {
        this.inFlight.set(
          job.id,
          this.run(job).finally(() => {
            this.inFlight.delete(job.id);
            this.wake();
          }),
        );
      }
      // Full, or nothing due: sleep until a row finishes, a new one is queued, or the next retry is due.
      if (claimed.length === 0 || this.inFlight.size >= this.concurrency) await this.idle(free > 0 ? await this.untilNextDue() : this.idleMs);
    }
    await Promise.all(this.inFlight.values());
  }

  private async untilNextDue(): Promise<number> {
    const held = [...this.inFlight.keys()];
    const row = await this.deps.library.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.min('next_attempt_at').as('next'))
      .where('state', 'not in', TERMINAL_OUTBOX_STATES)
      .$if(held.length > 0, (qb) => qb.where('id', 'not in', held))
      .executeTakeFirst();
    const next = row?.next ?? null;
    return next === null ? this.idleMs : Math.min(this.idleMs, Math.max(0, Number(next) - Date.now()));
  }

  private async idle(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return;
    }
    if (this.closing || ms <= 0) return;
    const woken = new Promise<void>((resolve) => {
      this.wakeUp = resolve;
    });
    await Promise.race([sleep(ms, undefined, { ref: false }), woken]);
    this.wakeUp = null;
  }

  private report(job: PublishJob, bytes: PublishProgress['bytes'] = null): void {
    // A listener's failure is its own: it must not read as a failed step.
    try {
      this.deps.onProgress({
        outboxId: job.id,
        imageId: job.imageId,
        state: job.state,
        syncState: SYNC_STATES[job.state],
        attempts: job.attempts,
        lastError: job.lastError,
        nextAttemptAt: job.nextAttemptAt,
        bytes,
      });
    } catch (error) {
      this.deps.log('error', `publish ${job.id}: a progress listener failed: ${describeError(error)}`);
    }
  }

  private async run(claimed: PublishJob): Promise<void> {
    let job: PublishJob | null = claimed;
    // Read once per claim: nothing a publish sends (file, size, generation settings) changes under it.
    let image: ImageDetails | undefined;
    try {
      while (job !== null && !TERMINAL_OUTBOX_STATES.includes(job.state)) {
        try {
          image ??= await getImage(this.deps.library.db, job.imageId);
          job = await this.step(job, image);
          this.report(job);
        } catch (error) {
          job = await this.failed(job, error);
        }
      }
    } catch (error) {
      // Recording the failure failed too (the library is closing, the disk is full): the lease runs out and the
      // row is claimed again later.
      this.deps.log('error', `publish ${claimed.id}: ${describeError(error)}`);
    }
  }

  /** Does the work of the row's state and commits the next state. */
  private async step(job: PublishJob, image: ImageDetails): Promise<PublishJob> {
    const db = this.deps.library.db;
    const key = job.idempotencyKey;
    const signal = this.stop.signal;
    switch (job.state) {
      case 'pending': {
        const generation = generationOf(image);
        const plan = await this.deps.plan();
        const local = moderateLocally(plan.moderationLevel, generation.prompt);
        if (local.verdict !== 'allow') throw moderationError(local.verdict, 'locally', local.categories.flatMap((c) => c.terms));
        const remote = await this.deps.client.request(
          { method: 'POST', path: '/v1/moderation/check', body: { prompt: generation.prompt }, signed: true, retryable: true, signal },
          ModerationResult,
        );
        if (remote.verdict !== 'allow') throw moderationError(remote.verdict, 'by the platform', remote.categories.flatMap((c) => c.terms));
        return advancePublish(db, job.id, 'pending', 'moderated');
      }
      case 'moderated': {
        const consumption = await this.deps.client.request(
          {
            method: 'POST',
            path: '/v1/wallet/consume',
            headers: { 'idempotency-key': key },
            body: { action: 'publish', width: image.width, height: image.height, bytes: image.fileSize },
            signed: true,
            retryable: true,
            signal,
          },
          Consumption,
        );
        return advancePublish(db, job.id, 'moderated', 'charged', { tokensCharged: consumption.amount });
      }
      case 'charged': {
        const original = { file: this.deps.library.resolve(image.filePath), size: image.fileSize };
        const thumbnailFile = this.deps.library.resolve(image.thumbnailPath ?? '');
        const { size: thumbnailSize } = await stat(thumbnailFile);
        const total = original.size + thumbnailSize;
        let lastReport = 0;
        const progress = (sent: number) => {
          const now = Date.now();
          if (now - lastReport < 100 && sent < total) return;
          lastReport = now;
          this.report(job, { sent, total });
        };
        // Both at once: the thumbnail's round trips hide behind the original's bytes.
        const sent = { original: 0, thumbnail: 0 };
        const [originalId, thumbnailId] = await Promise.all([
          this.uploads.upload(
            { file: original.file, purpose: 'original', contentType: CONTENT_TYPES[image.format], size: original.size },
            { signal, onProgress: (bytes) => progress((sent.original = bytes) + sent.thumbnail) },
          ),
          this.uploads.upload(
            { file: thumbnailFile, purpose: 'thumbnail', contentType: 'image/webp', size: thumbnailSize },
            { signal, onProgress: (bytes) => progress(sent.original + (sent.thumbnail = bytes)) },
          ),
        ]);
        return advancePublish(db, job.id, 'charged', 'uploaded', { remoteUploadId: JSON.stringify({ original: originalId, thumbnail: thumbnailId }) });
      }
      case 'uploaded': {
        const uploads = uploadIdsOf(job);
        const companionId = job.companionId ?? image.companionId;
        const registered = await this.deps.client.request(
          {
            method: 'POST',
            path: '/v1/images',
            body: {
              consumeKey: key,
              originalUploadId: uploads.original,
              thumbnailUploadId: uploads.thumbnail,
              width: image.width,
              height: image.height,
              ...(companionId === null ? {} : { companionId }),
              generation: generationOf(image),
            },
            signed: true,
            retryable: true,
            signal,
          },
          RemoteImage,
        );
        return advancePublish(db, job.id, 'uploaded', 'registered', { remoteImageId: registered.id });
      }
      case 'registered': {
        await this.deps.client.request(
          { method: 'POST', path: `/v1/images/${encodeURIComponent(job.remoteImageId ?? '')}/publish`, signed: true, retryable: true, signal },
          RemoteImage,
        );
        return advancePublish(db, job.id, 'registered', 'published');
      }
      case 'refunding': {
        try {
          await this.deps.client.request(
            {
              method: 'POST',
              path: `/v1/wallet/consumptions/${encodeURIComponent(key)}/refund`,
              body: { reason: (job.lastError ?? 'Publishing failed.').slice(0, 500) },
              signed: true,
              retryable: true,
              signal,
            },
            Refund,
          );
        } catch (error) {
          // No consumption under this key: nothing was charged, so nothing is owed.
          if (!(error instanceof PlatformError && error.code === 'NOT_FOUND')) throw error;
        }
        return advancePublish(db, job.id, 'refunding', 'refunded', job.lastError === null ? {} : { lastError: job.lastError });
      }
      case 'published':
      case 'refunded':
      case 'failed':
        return job;
    }
  }

  /**
   * Records a failed step: a retry at a later time, or the end of the row (failed, or on to a refund). Returns
   * the row when the worker should carry on with it now (a refund to make), null otherwise.
   */
  private async failed(job: PublishJob, error: unknown): Promise<PublishJob | null> {
    const db = this.deps.library.db;
    if (error instanceof LibraryError && error.code === 'CONFLICT') {
      // Another worker moved the row on (its lease ran out while this one was slow): its step stands.
      this.deps.log('warn', `publish ${job.id}: ${error.message}`);
      return null;
    }
    const now = Date.now();
    if (this.closing) {
      // Interrupted, not failed: due again at once, so the next start resumes it.
      this.report(await recordPublishFailure(db, job.id, 'Interrupted: the studio closed.', now, now));
      return null;
    }
    const reason = describeError(error);
    // A session that ended mid-publish waits for the user to sign in again: after the charge, giving up would
    // need the platform (a refund), and at `moderated` a lost consume answer may have charged.
    const transient = !(error instanceof PlatformError)
      ? !isPermanentLocalError(error)
      : error.transient || (error.code === 'UNAUTHENTICATED' && job.state !== 'pending');
    const giveUp = job.state !== 'refunding' && (!transient || (job.state !== 'moderated' && job.attempts >= this.maxAttempts));
    this.deps.log(giveUp ? 'warn' : 'info', `publish ${job.id} (image ${job.imageId}) at ${job.state}, attempt ${job.attempts}: ${reason}${giveUp ? '; giving up' : ''}`);
    try {
      if (giveUp) return await this.giveUp(job, reason);
    } catch (settling) {
      this.deps.log('warn', `publish ${job.id}: cannot settle the failure yet: ${describeError(settling)}`);
    }
    const retryAfter = error instanceof PlatformError ? (error.retryAfterMs ?? 0) : 0;
    const delay = Math.max(retryAfter, fullJitter(job.attempts - 1, this.backoffBaseMs, this.backoffCapMs, this.random));
    const row = await recordPublishFailure(db, job.id, reason, now + delay, now);
    this.report(row);
    return null;
  }

  private async giveUp(job: PublishJob, reason: string): Promise<PublishJob | null> {
    const db = this.deps.library.db;
    switch (job.state) {
      case 'pending':
      case 'moderated': {
        const row = await advancePublish(db, job.id, job.state, 'failed', { lastError: reason });
        this.report(row);
        return null;
      }
      case 'registered': {
        const remote = await this.deps.client.request(
          { method: 'GET', path: `/v1/images/${encodeURIComponent(job.remoteImageId ?? '')}`, signed: true, retryable: true, signal: this.stop.signal },
          RemoteImage,
        );
        if (remote.status === 'published') {
          const row = await advancePublish(db, job.id, 'registered', 'published');
          this.report(row);
          return null;
        }
        const row = await advancePublish(db, job.id, 'registered', 'refunding', { lastError: reason });
        this.report(row);
        return row;
      }
      case 'charged':
      case 'uploaded': {
        const row = await advancePublish(db, job.id, job.state, 'refunding', { lastError: reason });
        this.report(row);
        return row;
      }
      case 'refunding':
      case 'published':
      case 'refunded':
      case 'failed':
        return null;
    }
  }
}

function moderationError(verdict: 'review' | 'block', where: string, terms: readonly string[]): PlatformError {
  const list = terms.length === 0 ? '' : ` (${terms.join(', ')})`;
  return verdict === 'block'
    ? new PlatformError('MODERATION_BLOCKED', `The prompt is blocked at your plan's moderation level ${where}${list}.`, { details: { terms } })
    : new PlatformError('MODERATION_REVIEW', `The prompt needs a moderator's review at your plan's level ${where}${list}; it was not published and nothing was charged.`, {
        details: { terms },
      });
}

/** A local failure that a retry cannot fix: the file is gone or unreadable, the library refuses. */
function isPermanentLocalError(error: unknown): boolean {
  if (error instanceof LibraryError) return true;
  return error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'EACCES' || error.code === 'EISDIR');
}

/** Unpublishes one's image on the platform. */
export async function unpublishRemote(client: PlatformClient, remoteImageId: string): Promise<void> {
  await client.request({ method: 'POST', path: `/v1/images/${encodeURIComponent(remoteImageId)}/unpublish`, signed: true, retryable: true }, RemoteImage);
}
