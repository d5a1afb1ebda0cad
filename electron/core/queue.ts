/**
 * The generation queue: jobs live in the library's `jobs` table (db/jobs.ts), so the queue is what the
 * database says, and survives restarts. This class decides what runs where: it claims the next queued job for
 * each free engine, streams progress, writes the images and the job's end in one transaction
 * (`addGeneratedImages`), and handles the three ways a run ends early:
 * - cancel: the engine stops at its next step and the job becomes `cancelled`;
 * - engine crash: the engine is restarted and the job put back at the head of the queue, unless it has now been
 *   started MAX_ATTEMPTS times, in which case it fails with the reason;
 * - shutdown: engines are stopped and running jobs go back to the queue; writes in progress finish first.
 * So at any point a job ends as finished images or as a queued job, never lost and never half-written.
 *
 * Runtime: main-side Node.
 */
import { z } from 'zod';
import {
  addGeneratedImages,
  cancelJob,
  claimNextJob,
  enqueueJob,
  failJob,
  getImage,
  getJob,
  listJobs,
  moveJob,
  requeueJob,
  type Job,
  type Library,
} from '../../db/index';
import type { GenerateRequest } from '../../inference/protocol';
import { GenerationParams, ImageSummary, type EventName, type EventPayload, type JobView, type QueueView, type StudioError } from '../contract';
import { EngineCallError } from './engine/host';
import type { EnginePool, EngineSlot } from './engine/pool';
import { StudioFailure, toStudioError } from './errors';
import { previewDataUrl } from './preview';

/** Starts of one job before a crash fails it: a prompt or size that kills the engine must not loop forever. */
export const MAX_ATTEMPTS = 3;

/** What a job row stores: the user-level parameters and the model folder they resolved to when submitted. */
export const StoredRequest = z.object({
  params: GenerationParams,
  modelPath: z.string().min(1),
  /** The platform companion the prompt depicts; its images link to it. */
  companionId: z.string().nullable().default(null),
});
export type StoredRequest = z.infer<typeof StoredRequest>;

export type Emit = <K extends EventName>(name: K, payload: EventPayload<K>) => void;
export type QueueLog = (level: 'info' | 'warn' | 'error', message: string, error?: unknown) => void;

interface Running {
  readonly slot: EngineSlot;
  readonly engineJobId: string;
  cancelRequested: boolean;
  progress: { step: number; totalSteps: number } | null;
}

export class GenerationQueue {
  private paused = false;
  private closing = false;
  private readonly running = new Map<number, Running>();
  /** Each running job's whole run, writes included: what close() waits for. */
  private readonly runs = new Set<Promise<void>>();
  /** Queue edits and claims run one at a time, so a cancel never races a claim of the same job. */
  private serial: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly library: Library,
    private readonly pool: EnginePool,
    private readonly emit: Emit,
    private readonly log: QueueLog,
  ) {}

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.serial.then(work);
    this.serial = next.catch(() => undefined);
    return next;
  }

  view(job: Job): JobView {
    const stored = StoredRequest.safeParse(job.request);
    const params: GenerationParams = stored.success
      ? stored.data.params
      : // A row this version cannot read (written by a newer one): shown, never run.
        { modelId: '', modelName: '', prompt: '', negativePrompt: '', sampler: 'euler', steps: 1, guidance: 0, seed: 0, width: 64, height: 64, batchSize: 1 };
    return {
      id: job.id,
      status: job.status,
      position: job.position,
      attempts: job.attempts,
      error: job.error,
      params,
      imageIds: job.imageIds,
      createdAt: job.createdAt,
      updatedAt: job.updatedAt,
      progress: this.running.get(job.id)?.progress ?? null,
    };
  }

  /** Queues one job per entry, each committed before this resolves. */
  async submit(requests: readonly StoredRequest[]): Promise<readonly number[]> {
    const ids = await this.exclusive(async () => {
      const jobs: Job[] = [];
      for (const request of requests) jobs.push(await enqueueJob(this.library.db, request));
      return jobs;
    });
    for (const job of ids) this.emit('job.queued', { job: this.view(job) });
    this.pump();
    return ids.map((j) => j.id);
  }

  async list(finishedLimit: number): Promise<QueueView> {
    const active = await listJobs(this.library.db, ['running', 'queued']);
    const finished = [...(await listJobs(this.library.db, ['done', 'failed', 'cancelled'], { finishedLimit }))].sort((a, b) => b.updatedAt - a.updatedAt || b.id - a.id);
    // Running first, then queued in order, then the most recent finished.
    const ordered = [...active.filter((j) => j.status === 'running'), ...active.filter((j) => j.status === 'queued'), ...finished.slice(0, finishedLimit)];
    return { paused: this.paused, jobs: ordered.map((j) => this.view(j)) };
  }

  private async changed(): Promise<QueueView> {
    const queue = await this.list(50);
    this.emit('queue.changed', { queue });
    return queue;
  }

  async pause(): Promise<QueueView> {
    this.paused = true;
    return this.changed();
  }

  async resume(): Promise<QueueView> {
    this.paused = false;
    this.pump();
    return this.changed();
  }

  async move(jobId: number, beforeJobId: number | null): Promise<JobView> {
    const job = await this.exclusive(() => moveJob(this.library.db, jobId, beforeJobId));
    await this.changed();
    return this.view(job);
  }

  /** A queued job is cancelled now; a running one when its engine stops (the `job.cancelled` event says so). */
  async cancel(jobId: number): Promise<boolean> {
    return this.exclusive(async () => {
      const running = this.running.get(jobId);
      if (running !== undefined) {
        // The flag covers a job still loading its model; the engine's cancel, one already generating. The reply
        // is not awaited: the run itself reports the outcome (`job.cancelled`, or `job.done` if it was too late).
        running.cancelRequested = true;
        running.slot.host.cancel(running.engineJobId).catch(() => undefined);
        return true;
      }
      const job = await getJob(this.library.db, jobId);
      if (job.status !== 'queued') return false;
      const cancelled = await cancelJob(this.library.db, jobId);
      this.emit('job.cancelled', { job: this.view(cancelled) });
      return true;
    });
  }

  /** Queues a finished job's parameters again (same seed, same model folder) as a new job. */
  async retry(jobId: number): Promise<JobView> {
    const job = await getJob(this.library.db, jobId);
    if (job.status !== 'failed' && job.status !== 'cancelled') {
      throw new StudioFailure('CONFLICT', `Job ${jobId} is ${job.status}; only a failed or cancelled job can be retried.`, { jobId });
    }
    const stored = StoredRequest.safeParse(job.request);
    if (!stored.success) throw new StudioFailure('INVALID_INPUT', `Job ${jobId} was made by another version of the studio and cannot be retried.`, { jobId });
    const [id] = await this.submit([stored.data]);
    return this.view(await getJob(this.library.db, id ?? 0));
  }

  /** Starts queued jobs on free engines. Safe to call any time; it does nothing when paused or closing. */
  pump(): void {
    if (this.paused || this.closing) return;
    void this.exclusive(async () => {
      while (!this.paused && !this.closing) {
        // Only claim when an engine is free; engines are freed outside this lock, so one still is after the claim.
        if (!this.pool.hasFree()) return;
        const job = await claimNextJob(this.library.db);
        if (job === undefined) return;
        const stored = StoredRequest.safeParse(job.request);
        const slot = this.pool.acquire(stored.success ? stored.data.modelPath : '');
        if (slot === undefined) throw new Error('no free engine after a claim');
        this.start(job, slot);
      }
    }).catch((error: unknown) => this.log('error', 'the queue could not start a job', error));
  }

  private start(job: Job, slot: EngineSlot): void {
    const running: Running = { slot, engineJobId: `job-${job.id}-${job.attempts}`, cancelRequested: false, progress: null };
    this.running.set(job.id, running);
    const run = this.run(job, slot, running)
      .catch((error: unknown) => this.log('error', `job ${job.id} could not be recorded; it stays running and is re-queued at the next start`, error))
      .finally(() => {
        this.running.delete(job.id);
        this.runs.delete(run);
        this.pool.release(slot);
        this.pump();
      });
    this.runs.add(run);
  }

  private async run(job: Job, slot: EngineSlot, running: Running): Promise<void> {
    const stored = StoredRequest.safeParse(job.request);
    if (!stored.success) {
      await this.finishFailed(job.id, { code: 'INVALID_INPUT', message: 'This job was made by another version of the studio and cannot run.' });
      return;
    }
    const { params, modelPath, companionId } = stored.data;
    this.emit('job.started', { job: this.view(job) });
    try {
      if (!slot.models.has(modelPath)) {
        const providers = this.pool.loadProviders;
        await slot.host.call({ type: 'load', model: modelPath, ...(providers === undefined ? {} : { providers: [...providers] }) });
        slot.models.add(modelPath);
      }
      if (running.cancelRequested) throw new EngineCallError({ code: 'CANCELLED', message: 'cancelled before it started' });
      const request: GenerateRequest = {
        prompt: params.prompt,
        negativePrompt: params.negativePrompt,
        model: modelPath,
        sampler: params.sampler,
        steps: params.steps,
        guidance: params.guidance,
        seed: params.seed,
        width: params.width,
        height: params.height,
        batchSize: params.batchSize,
      };
      const result = await slot.host.call(
        { type: 'generate', request },
        {
          id: running.engineJobId,
          onProgress: (p) => {
            running.progress = { step: p.step, totalSteps: p.totalSteps };
            const previews = p.previews?.map((v) => ({ width: v.width, height: v.height, dataUrl: previewDataUrl(v.width, v.height, v.rgb) }));
            this.emit('job.progress', { jobId: job.id, step: p.step, totalSteps: p.totalSteps, ...(previews === undefined ? {} : { previews }) });
          },
        },
      );
      const images = result.images.map((image) => ({
        png: image.png,
        fields: {
          prompt: params.prompt,
          negativePrompt: params.negativePrompt,
          modelName: result.model.name,
          modelHash: result.model.hash,
          sampler: params.sampler,
          steps: params.steps,
          guidance: params.guidance,
          seed: image.seed,
        },
        companionId,
      }));
      // Files, rows and the job's end together (db/store.ts): the job is `done` exactly when its images exist.
      const imageIds = await addGeneratedImages(this.library, images, { jobId: job.id });
      for (const imageId of imageIds) {
        // The summary's schema keeps the gallery fields and leaves out the details' tags and albums.
        const image = ImageSummary.parse(await getImage(this.library.db, imageId));
        this.emit('image.created', { image, jobId: job.id });
      }
      this.emit('job.done', { job: this.view(await getJob(this.library.db, job.id)) });
      this.emit('library.changed', { what: 'images' });
    } catch (error) {
      await this.ended(job, slot, error);
    }
  }

  private async ended(job: Job, slot: EngineSlot, error: unknown): Promise<void> {
    if (error instanceof EngineCallError && error.code === 'CANCELLED') {
      const cancelled = await cancelJob(this.library.db, job.id);
      this.emit('job.cancelled', { job: this.view(cancelled) });
      return;
    }
    if (error instanceof EngineCallError && error.code === 'ENGINE_CRASHED') {
      if (this.closing) {
        // Shutdown stopped the engine: the job runs again at the next start.
        await requeueJob(this.library.db, job.id, null);
        return;
      }
      await this.pool.restart(slot).catch((restartError: unknown) => this.log('error', `engine ${slot.device.name} could not restart`, restartError));
      if (job.attempts >= MAX_ATTEMPTS) {
        await this.finishFailed(job.id, {
          code: 'ENGINE_CRASHED',
          message: `The engine stopped ${job.attempts} times while running this job, so it was not tried again (last: ${error.message}).`,
          details: { attempts: job.attempts },
        });
        return;
      }
      this.log('warn', `job ${job.id}: ${error.message}; retrying`);
      const requeued = await requeueJob(this.library.db, job.id, `The engine stopped (${error.message}); the job was retried.`);
      this.emit('job.queued', { job: this.view(requeued) });
      return;
    }
    await this.finishFailed(job.id, toStudioError(error, (message, e) => this.log('error', `job ${job.id}: ${message}`, e)));
  }

  private async finishFailed(jobId: number, error: StudioError): Promise<void> {
    const failed = await failJob(this.library.db, jobId, error.message);
    this.emit('job.failed', { job: this.view(failed), error });
  }

  /** Stops starting jobs, stops the engines, and waits for every running job to end (written or re-queued). */
  async close(): Promise<void> {
    this.closing = true;
    await this.serial;
    await this.pool.stop();
    await Promise.all([...this.runs]);
  }
}
