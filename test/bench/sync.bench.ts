/**
 * `npm run bench:sync`: publish 100 images of about 2 MB through the outbox to the reference platform, against
 * raw PutObject of the same files to the same s3rver in the same run (4 transfers in flight). BENCH_ROWS=n
 * sets the publisher's rows in flight (its default otherwise). Prints the throughput ratio (target ≥ 0.9) and the peak RSS and heap sampled during each phase: the
 * uploads stream from disk, so memory stays flat whatever the files' sizes.
 *
 * The platform and its s3rver run in their own process (`npm run platform:dev`), as a real platform runs on
 * its own machines: this process holds only what Studio runs. Publishing does more than the raw copy —
 * moderation, charge, register and publish calls, the thumbnails, one durable outbox transition per step —
 * and the ratio says what that costs on top of moving the bytes.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { durableTransaction, getImage, openLibrary } from '../../db/index';
import { FileSecretStore, PlatformSync } from '../../electron/sync/index';
import { addImages, settled } from '../integration/sync/harness';
import { createS3Client, type S3Target } from '../platform/storage';

const COUNT = 100;
/** 816² RGB noise pixels: a PNG of about 2 MB that does not compress. */
const SIDE = 816;
const IN_FLIGHT = 4;
const TARGET_RATIO = 0.9;

interface Peak {
  rss: number;
  heap: number;
}

/** Processor seconds (user + system) a process has used so far: this one's, or another's from /proc (Linux). */
function cpuSeconds(pid?: number): number {
  if (pid === undefined) {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  }
  try {
    // Fields 14 and 15 of /proc/<pid>/stat, after the command name in parentheses; in clock ticks (100 a second).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

interface Cpu {
  studio: number;
  platform: number;
}

/** Samples memory every 10 ms while `work` runs, and the processor time it takes here and on the platform. */
async function measured<T>(work: () => Promise<T>, platformPid: number | undefined): Promise<{ value: T; seconds: number; peak: Peak; cpu: Cpu }> {
  const peak: Peak = { rss: 0, heap: 0 };
  const sample = () => {
    const usage = process.memoryUsage();
    peak.rss = Math.max(peak.rss, usage.rss);
    peak.heap = Math.max(peak.heap, usage.heapUsed);
  };
  global.gc?.();
  sample();
  const timer = setInterval(sample, 10);
  const cpu = { studio: cpuSeconds(), platform: cpuSeconds(platformPid) };
  const started = performance.now();
  try {
    const value = await work();
    const seconds = (performance.now() - started) / 1000;
    return { value, seconds, peak, cpu: { studio: cpuSeconds() - cpu.studio, platform: cpuSeconds(platformPid) - cpu.platform } };
  } finally {
    clearInterval(timer);
    sample();
  }
}

/**
 * Writes the page cache's dirty pages out before a phase, so that neither phase pays for the other's writeback
 * (both put 200 MB into s3rver's folder). `sync(1)` where there is one (Linux, macOS).
 */
function settleDisk(): void {
  if (process.platform !== 'win32') execFileSync('sync');
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Starts `platform:dev` on a free port over `dataDir`; resolves with its URL and S3 target once it listens. */
async function startPlatformProcess(dataDir: string): Promise<{ url: string; s3: S3Target; pid: number | undefined; stop(): Promise<void> }> {
  const entry = fileURLToPath(new URL('../platform/dev.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', entry, '--port', '0', '--data', dataDir, '--memory'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let url = '';
  let s3: S3Target | undefined;
  for await (const line of createInterface({ input: child.stdout })) {
    url = /reference platform at (\S+)/.exec(line)?.[1] ?? url;
    const store = /S3 \(s3rver\) at (\S+), bucket (\S+)/.exec(line);
    // s3rver's built-in account: it checks the key id only.
    if (store?.[1] !== undefined && store[2] !== undefined) s3 = { endpoint: store[1], region: 'us-east-1', bucket: store[2], accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
    if (line.startsWith('Ctrl-C')) break;
  }
  if (url === '' || s3 === undefined) throw new Error('platform:dev did not start');
  child.stdout.resume();
  return {
    url,
    s3,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'studio-bench-sync-'));
  const platform = await startPlatformProcess(path.join(dir, 'platform'));
  const s3 = { target: platform.s3 };
  const { library } = await openLibrary(path.join(dir, 'library'));
  try {
    console.log(`making ${COUNT} PNGs of ${SIDE}×${SIDE} noise…`);
    const ids = await addImages(library, COUNT, { side: SIDE });
    const images = await Promise.all(ids.map((id) => getImage(library.db, id)));
    const bytes = images.reduce((sum, image) => sum + image.fileSize, 0);
    console.log(`${COUNT} files, ${mb(bytes)} in all (mean ${mb(bytes / COUNT)})`);

    // 1. Raw PutObject of the same originals, IN_FLIGHT at a time, streamed from disk.
    const client = createS3Client(s3.target);
    settleDisk();
    const raw = await measured(async () => {
      let next = 0;
      const worker = async () => {
        for (let index = next++; index < images.length; index = next++) {
          const image = images[index];
          if (image === undefined) continue;
          await client.send(
            new PutObjectCommand({
              Bucket: s3.target.bucket,
              Key: `bench/raw/${image.contentHash}`,
              Body: createReadStream(library.resolve(image.filePath)),
              ContentLength: image.fileSize,
              ContentType: 'image/png',
            }),
          );
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    }, platform.pid);
    client.destroy();

    // 2. Publishing through the outbox with the worker's defaults (8 rows at a time: most of a row's time is
    //    round trips to the platform, not bytes).
    const sync = new PlatformSync({
      library,
      baseUrl: platform.url,
      secrets: new FileSecretStore(path.join(dir, 'session.json')),
      ...(process.env['BENCH_ROWS'] === undefined ? {} : { publisher: { concurrency: Number(process.env['BENCH_ROWS']) } }),
    });
    await sync.signIn('carol@example.com', 'studio-dev');
    settleDisk();
    const published = await measured(async () => {
      await sync.publish(ids);
      sync.start();
      await settled(library, 600_000);
    }, platform.pid);
    await sync.close();
    const states = await library.db.selectFrom('outbox').select('state').execute();
    const done = states.filter((s) => s.state === 'published').length;

    // What the outbox's durability costs here: each step is one fsynced commit (five per publish).
    const commits = 50;
    const commitStarted = performance.now();
    for (let i = 0; i < commits; i++) {
      await durableTransaction(library.db, (trx) => trx.updateTable('outbox').set({ updated_at: Date.now() }).where('id', '=', 1).execute());
    }
    const commitMs = (performance.now() - commitStarted) / commits;

    const rawRate = bytes / raw.seconds;
    const publishRate = bytes / published.seconds;
    console.log('');
    console.log(`raw PutObject:  ${raw.seconds.toFixed(2)} s, ${mb(rawRate)}/s, peak RSS ${mb(raw.peak.rss)}, peak heap ${mb(raw.peak.heap)}`);
    console.log(`publish:        ${published.seconds.toFixed(2)} s, ${mb(publishRate)}/s, peak RSS ${mb(published.peak.rss)}, peak heap ${mb(published.peak.heap)} (${done}/${COUNT} published)`);
    console.log(`throughput ratio publish / raw: ${(publishRate / rawRate).toFixed(2)} (target ≥ ${TARGET_RATIO})`);
    console.log(`peak heap during publish vs the files' total: ${mb(published.peak.heap)} vs ${mb(bytes)}`);
    const cpu = (phase: { cpu: Cpu }) => `${phase.cpu.studio.toFixed(2)} s here, ${phase.cpu.platform.toFixed(2)} s on the platform + S3`;
    console.log(`processor time, raw:     ${cpu(raw)}`);
    console.log(`processor time, publish: ${cpu(published)} (both processes share this machine's ${availableParallelism()} cores)`);
    console.log(`a durable outbox commit: ${commitMs.toFixed(1)} ms on a quiet disk, its fsync off the main thread (five per publish)`);
  } finally {
    await library.close();
    await platform.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
