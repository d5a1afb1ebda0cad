// @vitest-environment jsdom
/** The queue slice: order, progress and previews from events, and the actions' calls. */
import { describe, expect, it } from 'vitest';
import { FINISHED_SHOWN, orderJobs } from '../../../../../renderer/src/features/queue/queue-slice';
import { fakeStudio, image, job } from '../../support';

const preview = { width: 8, height: 8, dataUrl: 'data:image/png;base64,AAAA' };

describe('queue slice', () => {
  it('orders running, then queued by position, then finished newest first, keeping only the recent finished', () => {
    const finished = Array.from({ length: FINISHED_SHOWN + 5 }, (_, i) => job(100 + i, { status: 'done', updatedAt: i }));
    const ordered = orderJobs([job(3, { position: 2 }), ...finished, job(4, { position: 1 }), job(5, { status: 'running' })]);
    expect(ordered.slice(0, 4).map((j) => j.id)).toEqual([5, 4, 3, 100 + FINISHED_SHOWN + 4]);
    expect(ordered).toHaveLength(3 + FINISHED_SHOWN);
  });

  it('applies progress and previews to the running job, and forgets the previews when it is done', () => {
    const studio = fakeStudio({});
    const s = () => studio.store.getState();
    s().applyQueue({ paused: false, jobs: [job(1, { status: 'running' }), job(2)] });
    s().applyProgress({ jobId: 1, step: 4, totalSteps: 20, previews: [preview] });
    expect(s().jobs[0]?.progress).toEqual({ step: 4, totalSteps: 20 });
    expect(s().previews[1]).toEqual([preview]);
    s().applyImage({ jobId: 1, image: image(9) });
    s().applyJob(job(1, { status: 'done', imageIds: [9], updatedAt: 2_000_000_000_000 }));
    expect(s().previews[1]).toBeUndefined();
    expect(s().results[1]?.map((i) => i.id)).toEqual([9]);
    expect(s().jobs.map((j) => [j.id, j.status])).toEqual([
      [2, 'queued'],
      [1, 'done'],
    ]);
  });

  it('moves a queued job one place with moveJob, and cancels, retries, pauses through the client', async () => {
    const studio = fakeStudio({
      moveJob: async (input) => job(input.jobId),
      cancelJob: async () => ({ cancelled: true }),
      retryJob: async (input) => job(input.jobId + 10),
      pauseQueue: async () => ({ paused: true, jobs: [] }),
    });
    const s = () => studio.store.getState();
    s().applyQueue({ paused: false, jobs: [job(1, { position: 1 }), job(2, { position: 2 }), job(3, { position: 3 })] });
    await s().shiftJob(3, -1);
    await s().shiftJob(1, 1);
    await s().shiftJob(1, -1);
    await s().cancelJob(2);
    await s().retryJob(2);
    await s().pauseQueue();
    expect(studio.calls.map((c) => [c.name, c.input])).toEqual([
      ['moveJob', { jobId: 3, beforeJobId: 2 }],
      ['moveJob', { jobId: 1, beforeJobId: 3 }],
      ['cancelJob', { jobId: 2 }],
      ['retryJob', { jobId: 2 }],
      ['pauseQueue', undefined],
    ]);
    expect(s().paused).toBe(true);
  });

  it('fetches the result thumbnails of jobs that finished before the page opened, once', async () => {
    const studio = fakeStudio({ getImage: async (input) => ({ ...image(input.imageId), tags: [], albums: [] }) });
    const s = () => studio.store.getState();
    s().applyQueue({ paused: false, jobs: [job(1, { status: 'done', imageIds: [11, 12, 13, 14, 15] })] });
    await Promise.all([s().loadJobResults(1), s().loadJobResults(1)]);
    expect(s().results[1]?.map((i) => i.id)).toEqual([11, 12, 13, 14]);
    expect(studio.calls.filter((c) => c.name === 'getImage')).toHaveLength(4);
  });
});
