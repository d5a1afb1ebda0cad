/**
 * The generation queue as the panel shows it: running and queued jobs in order, then recent finished ones,
 * with each running job's progress and live previews (from `job.progress` events).
 */
import type { EventPayload, ImageSummary, JobView, PreviewImage, QueueView } from '../../../../electron/contract';
import { valueOr, type SliceCreator } from '../../store';

export interface QueueSlice {
  readonly jobs: readonly JobView[];
  readonly paused: boolean;
  /** The latest previews per running job (one per image of its batch). */
  readonly previews: Readonly<Record<number, readonly PreviewImage[]>>;
  /** Images made by jobs while this page was open, per job (the panel shows them as the job's result). */
  readonly results: Readonly<Record<number, readonly ImageSummary[]>>;
  loadQueue(): Promise<void>;
  pauseQueue(): Promise<void>;
  resumeQueue(): Promise<void>;
  cancelJob(jobId: number): Promise<void>;
  retryJob(jobId: number): Promise<void>;
  /** Moves a queued job one place earlier (-1) or later (+1) among the queued jobs. */
  shiftJob(jobId: number, by: -1 | 1): Promise<void>;
  applyQueue(queue: QueueView): void;
  applyJob(job: JobView): void;
  applyProgress(progress: EventPayload<'job.progress'>): void;
  applyImage(created: EventPayload<'image.created'>): void;
  /** Fetches the images of a job that finished before this page opened (the panel shows them). */
  loadJobResults(jobId: number): Promise<void>;
}

/** Result thumbnails a queue item shows. */
export const RESULTS_SHOWN = 4;

/** Finished jobs the panel keeps. */
export const FINISHED_SHOWN = 50;

const rank = (job: JobView) => (job.status === 'running' ? 0 : job.status === 'queued' ? 1 : 2);

/** Running, then queued by position, then finished newest first. */
export function orderJobs(jobs: readonly JobView[]): JobView[] {
  const sorted = [...jobs].sort((a, b) => rank(a) - rank(b) || (rank(a) === 1 ? a.position - b.position : b.updatedAt - a.updatedAt || b.id - a.id));
  const active = sorted.filter((j) => rank(j) < 2);
  return [...active, ...sorted.filter((j) => rank(j) === 2).slice(0, FINISHED_SHOWN)];
}

export const createQueueSlice: SliceCreator<QueueSlice> = (deps) => (set, get) => {
  const client = deps.host.client;
  const withoutPreviews = (previews: QueueSlice['previews'], jobs: readonly JobView[]) =>
    Object.fromEntries(Object.entries(previews).filter(([id]) => jobs.some((j) => j.id === Number(id) && j.status === 'running')));
  return {
    jobs: [],
    paused: false,
    previews: {},
    results: {},
    loadQueue: async () => {
      const queue = await valueOr(get, client.listQueue({ finishedLimit: FINISHED_SHOWN }));
      if (queue !== undefined) get().applyQueue(queue);
    },
    pauseQueue: async () => {
      const queue = await valueOr(get, client.pauseQueue());
      if (queue !== undefined) get().applyQueue(queue);
    },
    resumeQueue: async () => {
      const queue = await valueOr(get, client.resumeQueue());
      if (queue !== undefined) get().applyQueue(queue);
    },
    cancelJob: async (jobId) => {
      await valueOr(get, client.cancelJob({ jobId }));
    },
    retryJob: async (jobId) => {
      const job = await valueOr(get, client.retryJob({ jobId }));
      if (job !== undefined) get().applyJob(job);
    },
    shiftJob: async (jobId, by) => {
      const queued = get().jobs.filter((j) => j.status === 'queued');
      const index = queued.findIndex((j) => j.id === jobId);
      if (index < 0) return;
      // Before the one two places up moves it up by one; before the one two places down moves it down by one.
      const target = by < 0 ? queued[index - 1] : queued[index + 2];
      if (by < 0 && target === undefined) return;
      if (by > 0 && queued[index + 1] === undefined) return;
      const job = await valueOr(get, client.moveJob({ jobId, beforeJobId: target?.id ?? null }));
      if (job !== undefined) get().applyJob(job);
    },
    applyQueue: (queue) =>
      set((s) => {
        const jobs = orderJobs(queue.jobs);
        return { jobs, paused: queue.paused, previews: withoutPreviews(s.previews, jobs) };
      }),
    applyJob: (job) =>
      set((s) => {
        const jobs = orderJobs([...s.jobs.filter((j) => j.id !== job.id), job]);
        return { jobs, previews: withoutPreviews(s.previews, jobs) };
      }),
    applyProgress: ({ jobId, step, totalSteps, previews }) =>
      set((s) => ({
        jobs: s.jobs.map((j) => (j.id === jobId ? { ...j, status: 'running' as const, progress: { step, totalSteps } } : j)),
        ...(previews === undefined ? {} : { previews: { ...s.previews, [jobId]: previews } }),
      })),
    loadJobResults: async (jobId) => {
      const ids = get().jobs.find((j) => j.id === jobId)?.imageIds.slice(0, RESULTS_SHOWN) ?? [];
      if (ids.length === 0 || get().results[jobId] !== undefined) return;
      // Claimed at once so that a re-render does not ask again while the replies travel.
      set((s) => ({ results: { ...s.results, [jobId]: [] } }));
      const images = await Promise.all(ids.map((imageId) => client.getImage({ imageId })));
      set((s) => ({ results: { ...s.results, [jobId]: images.flatMap((r) => (r.ok ? [r.value] : [])) } }));
    },
    applyImage: ({ image, jobId }) => set((s) => ({ results: { ...s.results, [jobId]: [...(s.results[jobId] ?? []), image] } })),
  };
};
