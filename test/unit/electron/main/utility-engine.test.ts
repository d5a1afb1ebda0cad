/**
 * The engine as a utilityProcess (electron/main/utility-engine.ts): the core's EngineFactory over a fork with
 * utilityProcess's shape, driving the real engine entry on its `process.parentPort` path (given to a Node child
 * by parent-port.ts, since Electron cannot run here). A Studio generates through it, PNG bytes and all, and a
 * killed engine is reported as an exit.
 */
import { fork as forkChild } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ForkOptions } from 'electron';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../../electron/contract';
import { EngineCallError, EngineHost } from '../../../../electron/core/engine/host';
import { EMBEDDED_MODEL_ID } from '../../../../electron/core/models';
import { JsonSettingsFile } from '../../../../electron/core/settings';
import { Studio } from '../../../../electron/core/studio';
import { utilityEngineFactory, type UtilityFork, type UtilityProcessLike } from '../../../../electron/main/utility-engine';

const ENTRY = fileURLToPath(new URL('../../../../inference/engine-process.ts', import.meta.url));
const PARENT_PORT = fileURLToPath(new URL('./parent-port.ts', import.meta.url));

const forks: { modulePath: string; options: ForkOptions }[] = [];

/** utilityProcess.fork's shape over a Node child that has a parentPort. */
const fork: UtilityFork = (modulePath, args, options) => {
  forks.push({ modulePath, options });
  const child = forkChild(modulePath, args, {
    execArgv: ['--import', import.meta.resolve('tsx'), '--import', PARENT_PORT],
    env: options.env as NodeJS.ProcessEnv,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const process: UtilityProcessLike = {
    postMessage: (message) => void child.send(message),
    on: (event: 'message' | 'exit', listener: (value: never) => void) => {
      if (event === 'message') child.on('message', (message) => (listener as (m: unknown) => void)(message));
      // A utilityProcess reports an exit code only.
      else child.on('exit', (code) => (listener as (c: number) => void)(code ?? 1));
      return process;
    },
    kill: () => child.kill('SIGKILL'),
    get pid() {
      return child.pid;
    },
  };
  return process;
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'studio-utility-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('utilityEngineFactory', () => {
  it('starts one engine per device with its environment and a service name', async () => {
    const factory = utilityEngineFactory(fork, ENTRY, { STUDIO_THREADS: '1', KEEP: 'yes' });
    const host = new EngineHost(factory({ name: 'gpu1', env: { CUDA_VISIBLE_DEVICES: '1' } }));
    await host.ready;
    expect(forks.at(-1)).toEqual({
      modulePath: ENTRY,
      options: { serviceName: 'Studio engine (gpu1)', env: { STUDIO_THREADS: '1', KEEP: 'yes', CUDA_VISIBLE_DEVICES: '1' }, stdio: 'inherit' },
    });
    const devices = await host.call({ type: 'devices' });
    expect(devices.providers.map((p) => p.name)).toContain('cpu');
    expect(host.pid).toBeGreaterThan(0);

    const pending = host.call({ type: 'inspect', model: path.join(dir, 'nowhere') });
    host.kill();
    await expect(pending).rejects.toBeInstanceOf(EngineCallError);
    await expect(host.call({ type: 'devices' })).rejects.toMatchObject({ code: 'ENGINE_CRASHED' });
  });

  it('runs a Studio: a generation goes through the utilityProcess path and lands in the library', async () => {
    const studio = await Studio.open({
      libraryDir: path.join(dir, 'library'),
      settings: new JsonSettingsFile(path.join(dir, 'settings.json')),
      version: 'test',
      env: { STUDIO_MODELS: path.join(dir, 'models') },
      engineFactory: utilityEngineFactory(fork, ENTRY, { ...process.env, STUDIO_THREADS: '1' }),
    });
    try {
      const created = new Promise<EventPayload<'image.created'>>((resolve) => {
        const stop = studio.subscribe((event) => {
          if (event.name !== 'image.created') return;
          stop();
          resolve(event.payload);
        });
      });
      const submitted = await studio.dispatch('submitGeneration', { modelId: EMBEDDED_MODEL_ID, prompt: 'a blue square', sampler: 'euler', steps: 4, guidance: 7, seed: 3, width: 64, height: 64 });
      expect(submitted.ok).toBe(true);
      const { image } = await created;
      expect(image).toMatchObject({ prompt: 'a blue square', seed: 3, width: 64, height: 64, format: 'png' });
      expect(image.fileSize).toBeGreaterThan(100);
    } finally {
      await studio.close();
    }
  });
});
