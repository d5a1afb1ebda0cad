// @vitest-environment jsdom
/** Events from main applied to the store; bursts of library changes reload the gallery once. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bindEvents, REFRESH_MS } from '../../../../renderer/src/store/events';
import { fakeStudio, image, job } from '../support';

afterEach(() => vi.useRealTimers());

describe('bindEvents', () => {
  it('applies job events, reports a failed job, and reloads the gallery once per burst of changes', async () => {
    vi.useFakeTimers();
    const studio = fakeStudio({
      listImages: async () => ({ items: [image(1)], nextCursor: null }),
      countImages: async () => ({ count: 1 }),
    });
    const stop = bindEvents(studio.store, studio.host);
    studio.emit('job.started', { job: job(1, { status: 'running' }) });
    studio.emit('job.progress', { jobId: 1, step: 3, totalSteps: 10 });
    expect(studio.store.getState().jobs[0]?.progress).toEqual({ step: 3, totalSteps: 10 });
    studio.emit('job.failed', { job: job(1, { status: 'failed', error: 'out of memory' }), error: { code: 'ENGINE_FAILED', message: 'out of memory' } });
    expect(studio.store.getState().notices.map((n) => n.kind === 'error' && n.error.code)).toEqual(['ENGINE_FAILED']);

    for (let i = 0; i < 5; i++) studio.emit('library.changed', { what: 'images' });
    await vi.advanceTimersByTimeAsync(REFRESH_MS + 10);
    expect(studio.calls.filter((c) => c.name === 'listImages')).toHaveLength(1);
    expect(studio.store.getState().items.map((i) => i.id)).toEqual([1]);

    stop();
    studio.emit('job.done', { job: job(1, { status: 'done' }) });
    expect(studio.store.getState().jobs[0]?.status).toBe('failed');
  });

  it('shows the reconnecting state, then reloads everything once connected again', async () => {
    const studio = fakeStudio({ listQueue: async () => ({ paused: true, jobs: [job(4)] }) });
    bindEvents(studio.store, studio.host);
    studio.setStatus('reconnecting');
    expect(studio.store.getState().connection).toBe('reconnecting');
    studio.setStatus('connected');
    await vi.waitFor(() => expect(studio.store.getState().paused).toBe(true));
    expect(studio.store.getState().connection).toBe('connected');
    expect(new Set(studio.calls.map((c) => c.name))).toEqual(new Set(['getSettings', 'getSystemInfo', 'listModels', 'listQueue', 'listAlbums', 'listTags', 'listImages', 'countImages']));
  });
});
