/**
 * The Studio core with real engine processes and a real library: generation end to end, the queue surviving a
 * restart, an engine crash and its retry, a job that keeps crashing the engine, and cancel. Engines are killed
 * for real (SIGKILL); the seam is the engine factory, which lets the test reach the processes.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStudioClient, type EventName, type EventPayload, type GenerationInput, type StudioClient, type StudioEvent } from '../../../../electron/contract';
import { forkEngine, type EngineProcess } from '../../../../electron/core/engine/host';
import type { EngineFactory } from '../../../../electron/core/engine/pool';
import { EMBEDDED_MODEL_ID } from '../../../../electron/core/models';
import { MAX_ATTEMPTS } from '../../../../electron/core/queue';
import { JsonSettingsFile } from '../../../../electron/core/settings';
import { Studio } from '../../../../electron/core/studio';

const dirs: string[] = [];
const studios: Studio[] = [];
afterEach(async () => {
  await Promise.all(studios.splice(0).map((s) => s.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'studio-core-'));
  dirs.push(dir);
  return dir;
}

async function open(dir: string, engineFactory?: EngineFactory): Promise<{ studio: Studio; api: StudioClient; events: StudioEvent[] }> {
  const studio = await Studio.open({
    libraryDir: path.join(dir, 'library'),
    settings: new JsonSettingsFile(path.join(dir, 'settings.json')),
    version: 'test',
    env: { STUDIO_MODELS: path.join(dir, 'models') },
    ...(engineFactory === undefined ? {} : { engineFactory }),
  });
  studios.push(studio);
  const events: StudioEvent[] = [];
  studio.subscribe((e) => events.push(e));
  // The typed client over the Studio in this process: the same checks as over IPC or the WebSocket.
  const api = createStudioClient(
    { call: (name, input) => studio.dispatch(name, input), subscribe: (l) => studio.subscribe((e) => l(e.name, e.payload)) },
    { fileUrl: (p) => p },
  );
  return { studio, api, events };
}

/** Resolves with the first event of that name matching `test`. */
function next<K extends EventName>(studio: Studio, name: K, test: (payload: EventPayload<K>) => boolean = () => true): Promise<EventPayload<K>> {
  return new Promise((resolve) => {
    const stop = studio.subscribe((event) => {
      if (event.name === name && test(event.payload as EventPayload<K>)) {
        stop();
        resolve(event.payload as EventPayload<K>);
      }
    });
  });
}

const request = (overrides: Partial<GenerationInput> = {}): GenerationInput => ({
  modelId: EMBEDDED_MODEL_ID,
  prompt: 'a large red circle on a blue background',
  sampler: 'euler',
  steps: 4,
  guidance: 7,
  seed: 42,
  width: 64,
  height: 64,
  ...overrides,
});

async function submit(api: StudioClient, input: GenerationInput): Promise<number[]> {
  const result = await api.submitGeneration(input);
  if (!result.ok) throw new Error(result.error.message);
  return [...result.value.jobIds];
}

describe('Studio', () => {
  it('generates into the library: progress, image.created, the job done with its image', async () => {
    const { studio, api, events } = await open(await tempDir());
    const [jobId] = await submit(api, request({ batchSize: 2 }));
    const done = await next(studio, 'job.done', (p) => p.job.id === jobId);
    expect(done.job.imageIds).toHaveLength(2);
    expect(done.job.params.seed).toBe(42);
    const created = events.filter((e) => e.name === 'image.created');
    expect(created.map((e) => e.payload.image.id)).toEqual(done.job.imageIds);
    expect(events.some((e) => e.name === 'job.progress' && e.payload.jobId === jobId && e.payload.step === 4)).toBe(true);
    const page = await api.listImages({ filters: { text: 'circle' } });
    expect(page.ok && page.value.items.map((i) => i.id)).toEqual([...done.job.imageIds].reverse());
    const image = await api.getImage({ imageId: done.job.imageIds[0] ?? 0 });
    expect(image).toMatchObject({ ok: true, value: { prompt: request().prompt, sampler: 'euler', steps: 4, seed: 42, source: 'studio' } });

    // Exported through the contract to a folder and to a zip, metadata intact.
    const dir = path.dirname(studio.library.dir);
    const toFolder = await api.exportImages({ source: { ids: [...done.job.imageIds] }, target: { folder: path.join(dir, 'export') } });
    expect(toFolder).toEqual({ ok: true, value: { exported: 2, missing: [] } });
    const files = await readdir(path.join(dir, 'export'));
    expect(files).toHaveLength(2);
    const exported = await readFile(path.join(dir, 'export', files[0] ?? ''));
    expect(exported.includes(Buffer.from(request().prompt))).toBe(true);
    const toZip = await api.exportImages({ source: { filters: { text: 'circle' } }, target: { zip: path.join(dir, 'export.zip') } });
    expect(toZip).toEqual({ ok: true, value: { exported: 2, missing: [] } });
    expect((await readFile(path.join(dir, 'export.zip'))).subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    const progress = events.flatMap((e) => (e.name === 'export.progress' && e.payload.target === path.join(dir, 'export.zip') ? [e.payload] : []));
    expect(progress.at(-1)).toMatchObject({ done: progress.at(-1)?.total });
    expect(progress.at(-1)?.total).toBeGreaterThan(0);
    expect(await api.exportImages({ source: { ids: [1] }, target: { folder: '' } })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });

    // Trashed, then deleted for good: the file leaves the disk, and every window hears the library changed.
    const [first = 0] = done.job.imageIds;
    const original = (await studio.library.db.selectFrom('images').select('file_path').where('id', '=', first).executeTakeFirstOrThrow()).file_path;
    expect(await api.trashImages({ selection: { ids: [first] } })).toEqual({ ok: true, value: { changed: 1 } });
    const changes = events.length;
    expect(await api.emptyTrash({})).toEqual({ ok: true, value: { deleted: 1, kept: 0 } });
    expect(events.slice(changes).filter((e) => e.name === 'library.changed').map((e) => e.payload)).toEqual([{ what: 'images' }, { what: 'albums' }]);
    await expect(readFile(studio.library.resolve(original))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('runs a queued job and the one that was running again after a restart', async () => {
    const dir = await tempDir();
    const first = await open(dir);
    const [running, queued] = await submit(first.api, request({ steps: 150, batchCount: 2 }));
    await next(first.studio, 'job.progress', (p) => p.jobId === running);
    await first.studio.close();

    const second = await open(dir);
    const queue = await second.api.listQueue();
    // Both are back in the queue, in their order (the first may already have been started again).
    expect(queue.ok && queue.value.jobs.map((j) => j.id)).toEqual([running, queued]);
    expect(queue.ok && queue.value.jobs.every((j) => j.status === 'queued' || j.status === 'running')).toBe(true);
    const both = [running, queued].map((id) => next(second.studio, 'job.done', (p) => p.job.id === id));
    const [a, b] = await Promise.all(both);
    expect(a.job.attempts).toBe(2);
    expect(b.job.attempts).toBe(1);
    expect(a.job.imageIds).toHaveLength(1);
    expect(b.job.imageIds).toHaveLength(1);
  });

  it('restarts a crashed engine and retries its job, which completes', async () => {
    const processes: EngineProcess[] = [];
    const { studio, api } = await open(await tempDir(), () => {
      const engine = forkEngine();
      processes.push(engine);
      return engine;
    });
    const [jobId] = await submit(api, request({ steps: 150 }));
    await next(studio, 'job.progress', (p) => p.jobId === jobId);
    const requeued = next(studio, 'job.queued', (p) => p.job.id === jobId);
    process.kill(processes[0]?.pid ?? 0, 'SIGKILL');
    expect((await requeued).job.error).toMatch(/engine stopped/);
    const done = await next(studio, 'job.done', (p) => p.job.id === jobId);
    expect(done.job.attempts).toBe(2);
    expect(processes).toHaveLength(2);
  });

  it('fails a job that crashes the engine three times, with the reason, and goes on with the next', async () => {
    // A real engine whose process dies whenever it is sent this one prompt: a job that kills the engine.
    const poison = 'a small black triangle on a white background';
    const factory: EngineFactory = () => {
      const engine = forkEngine();
      return {
        ...engine,
        send: (message) => {
          engine.send(message);
          if (message.type === 'generate' && message.request.prompt === poison) engine.kill();
        },
        onMessage: (l) => engine.onMessage(l),
        onExit: (l) => engine.onExit(l),
        kill: () => engine.kill(),
        get pid() {
          return engine.pid;
        },
      };
    };
    const { studio, api } = await open(await tempDir(), factory);
    const [bad, good] = [...(await submit(api, request({ prompt: poison }))), ...(await submit(api, request()))];
    const failed = await next(studio, 'job.failed', (p) => p.job.id === bad);
    expect(failed.error.code).toBe('ENGINE_CRASHED');
    expect(failed.error.message).toMatch(new RegExp(`stopped ${MAX_ATTEMPTS} times`));
    expect(failed.job).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
    const done = await next(studio, 'job.done', (p) => p.job.id === good);
    expect(done.job.imageIds).toHaveLength(1);
  }, 120_000);

  it('cancels a running job at the next step and a queued job at once', async () => {
    const { studio, api } = await open(await tempDir());
    expect(await api.pauseQueue()).toMatchObject({ ok: true, value: { paused: true } });
    const [running, queued] = await submit(api, request({ steps: 150, batchCount: 2 }));
    expect(await api.cancelJob({ jobId: queued })).toEqual({ ok: true, value: { cancelled: true } });
    const started = next(studio, 'job.progress', (p) => p.jobId === running);
    await api.resumeQueue();
    await started;
    const cancelled = next(studio, 'job.cancelled', (p) => p.job.id === running);
    expect(await api.cancelJob({ jobId: running })).toEqual({ ok: true, value: { cancelled: true } });
    expect((await cancelled).job.status).toBe('cancelled');
    const queue = await api.listQueue();
    const statuses = queue.ok ? queue.value.jobs.map((j) => [j.id, j.status]) : [];
    expect(statuses).toEqual(expect.arrayContaining([[running, 'cancelled'], [queued, 'cancelled']]));
    // Retry queues the same parameters (the same seed) again, as a new job that runs.
    const retried = await api.retryJob({ jobId: queued });
    if (!retried.ok) throw new Error(retried.error.message);
    const retry = retried.value;
    expect(retry.id).not.toBe(queued);
    expect(retry.params.seed).toBe(43);
    expect((await next(studio, 'job.done', (p) => p.job.id === retry.id)).job.imageIds).toHaveLength(1);
  });

  it('answers with errors as data: an unknown model, a bad input, a bad model folder', async () => {
    const dir = await tempDir();
    const { api } = await open(dir);
    expect(await api.submitGeneration(request({ modelId: 'm-nothere' }))).toMatchObject({ ok: false, error: { code: 'MODEL_NOT_FOUND' } });
    expect(await api.submitGeneration({ ...request(), width: 65 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await api.addModelFolder({ path: dir })).toMatchObject({ ok: false, error: { code: 'MODEL_INVALID' } });
    const tokens = await api.tokenize({ modelId: EMBEDDED_MODEL_ID, text: 'a red circle' });
    expect(tokens).toMatchObject({ ok: true, value: { tokenCount: 5, truncated: 0 } });
  });
});
