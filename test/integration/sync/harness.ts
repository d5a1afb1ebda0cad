/**
 * What the sync tests share: the reference platform over s3rver, a fresh library with generated images, and a
 * PlatformSync between them whose log lines are all captured (to check that no secret is ever written).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { addGeneratedImages, openLibrary, type Library } from '../../../db/index';
import { FileSecretStore, PlatformSync, type PlatformSyncOptions, type PublishProgress } from '../../../electron/sync/index';
import type { PlatformOptions, RunningPlatform } from '../../platform/server';
import { startPlatform } from '../platform/client';

export interface Harness {
  readonly platform: RunningPlatform;
  readonly library: Library;
  readonly sync: PlatformSync;
  readonly dir: string;
  readonly logs: string[];
  readonly progress: PublishProgress[];
  stop(): Promise<void>;
}

/** A PNG of `side`² noise pixels drawn from seed `n` (so every image has its own bytes, and they do not compress). */
export async function testPng(n: number, side = 64): Promise<Buffer> {
  const pixels = Buffer.alloc(side * side * 3);
  let state = (n * 2654435761 + 1) >>> 0 || 1;
  for (let i = 0; i < pixels.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    pixels[i] = state & 0xff;
  }
  return sharp(pixels, { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
}

export async function addImages(library: Library, count: number, options: { prompt?: (n: number) => string; first?: number; side?: number } = {}): Promise<number[]> {
  const ids: number[] = [];
  for (let start = 0; start < count; start += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, count - start) }, async (_, k) => {
        const n = (options.first ?? 0) + start + k;
        return {
          png: await testPng(n, options.side),
          fields: {
            prompt: options.prompt?.(n) ?? `a lighthouse at dawn, number ${n}`,
            negativePrompt: 'blurry',
            modelName: 'studio-shapes',
            modelHash: 'abcdef1234',
            sampler: 'euler-a',
            steps: 20,
            guidance: 7,
            seed: 1000 + n,
          },
        };
      }),
    );
    ids.push(...(await addGeneratedImages(library, batch)));
  }
  return ids;
}

export async function startHarness(
  options: { readonly platform?: PlatformOptions; readonly sync?: Partial<Omit<PlatformSyncOptions, 'library' | 'baseUrl'>> } = {},
): Promise<Harness> {
  const started = await startPlatform(options.platform);
  const dir = await mkdtemp(path.join(tmpdir(), 'studio-sync-'));
  const { library } = await openLibrary(path.join(dir, 'library'));
  const logs: string[] = [];
  const progress: PublishProgress[] = [];
  const sync = new PlatformSync({
    library,
    baseUrl: started.platform.url,
    secrets: new FileSecretStore(path.join(dir, 'config', 'platform-session.json')),
    log: (level, message) => logs.push(`${level} ${message}`),
    onProgress: (p) => progress.push(p),
    ...options.sync,
  });
  return {
    platform: started.platform,
    library,
    sync,
    dir,
    logs,
    progress,
    async stop() {
      await sync.close();
      await library.close();
      await started.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves when every outbox row is in a final state (or throws after `timeoutMs`). */
export async function settled(library: Library, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await library.db.selectFrom('outbox').select('id').where('state', 'not in', ['published', 'refunded', 'failed']).execute();
    if (open.length === 0) return;
    if (Date.now() > deadline) throw new Error(`${open.length} publishes still open after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
