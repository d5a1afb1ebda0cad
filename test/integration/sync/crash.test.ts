/**
 * The sync worker is killed (SIGKILL) in the middle of publishing, twice, and started again: every image is
 * published once and charged once — the outbox rows say which step each publish had reached, and the steps
 * replayed after the crash are idempotent on the platform.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { enqueuePublish, listPublishes, openLibrary } from '../../../db/index';
import type { PublishProgress } from '../../../electron/sync/index';
import type { RunningPlatform } from '../../platform/server';
import { startPlatform } from '../platform/client';
import { addImages } from './harness';

const CHILD = fileURLToPath(new URL('./worker-child.ts', import.meta.url));
const COUNT = 8;

let platform: RunningPlatform;
let stopPlatform: () => Promise<void>;
let dir: string;

beforeAll(async () => {
  ({ platform, stop: stopPlatform } = await startPlatform());
  dir = await mkdtemp(path.join(tmpdir(), 'studio-sync-crash-'));
});
afterAll(async () => {
  await stopPlatform();
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  readonly reports: PublishProgress[];
  readonly stderr: string[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs the worker; kills it with SIGKILL at the first report that `killWhen` accepts. */
function runWorker(killWhen?: (report: PublishProgress) => boolean): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path.join(dir, 'library'), platform.url, path.join(dir, 'session.json')], {
    env: { ...process.env, STUDIO_TEST_PASSWORD: 'studio-dev' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const reports: PublishProgress[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const report = JSON.parse(line) as PublishProgress;
    reports.push(report);
    if (killWhen?.(report) === true) child.kill('SIGKILL');
  });
  createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { reports, stderr, exit };
}

it('finishes every publish after SIGKILLs mid-publish, without a second charge or a second image', { timeout: 90_000 }, async () => {
  const before = platform.admin.balance('alice@example.com');
  const { library } = await openLibrary(path.join(dir, 'library'));
  const imageIds = await addImages(library, COUNT);
  for (const imageId of imageIds) await enqueuePublish(library.db, { idempotencyKey: `crash-${randomUUID()}`, imageId, visibility: 'public' });
  await library.close();
  // Slow uploads and registers down, so that the kills land with rows at several steps.
  platform.admin.setFaults({ seed: 5, rules: [{ route: 'completeUpload', kind: 'latency', latencyMs: 150 }, { route: 'registerImage', kind: 'latency', when: 'after', latencyMs: 150 }] });

  const first = runWorker((report) => report.state === 'charged');
  expect((await first.exit).signal).toBe('SIGKILL');
  const second = runWorker((report) => report.state === 'registered');
  expect((await second.exit).signal).toBe('SIGKILL');
  const last = runWorker();
  expect(await last.exit).toEqual({ code: 0, signal: null });
  platform.admin.clearFaults();

  const reopened = await openLibrary(path.join(dir, 'library'));
  try {
    const rows = await listPublishes(reopened.library.db);
    expect(rows.map((r) => r.state)).toEqual(Array(COUNT).fill('published'));
    // Some rows were resumed by a later process: they were claimed more than once.
    expect(rows.some((r) => r.attempts > 1)).toBe(true);
    const ledger = platform.admin.ledger('alice@example.com');
    for (const row of rows) {
      expect(ledger.filter((e) => e.consumeKey === row.idempotencyKey).map((e) => e.kind)).toEqual(['consume']);
    }
    const charged = rows.reduce((sum, row) => sum + row.tokensCharged, 0);
    expect(platform.admin.balance('alice@example.com')).toBe(before - charged);
    expect(new Set(rows.map((r) => r.remoteImageId)).size).toBe(COUNT);
  } finally {
    await reopened.library.close();
  }
  const logs = [...first.stderr, ...second.stderr, ...last.stderr].join('\n');
  expect(logs).not.toContain('studio-dev');
});
