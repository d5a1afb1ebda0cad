/**
 * Durable file writes on threads of their own, for bulk imports.
 *
 * fsync holds its thread for milliseconds. Node runs file system calls on libuv's small shared pool (four
 * threads), the same pool on which sharp decodes, so an import that fsyncs there spends a share of its
 * decoding threads waiting on the disk, and every other file operation queues behind both. Here each write —
 * temporary name, write, fsync, rename, exactly the protocol of `writeFileAtomic` — runs synchronously on a
 * dedicated worker thread that does nothing else, and the decoding keeps the pool.
 *
 * The worker's source is inline JavaScript so that it runs the same from TypeScript sources (tsx), a bundle or
 * an Electron main process, with no file of its own to locate.
 */
import { Worker } from 'node:worker_threads';
import { TEMP_SUFFIX } from './files';
import { LibraryError } from './errors';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

function syncDirectory(dir) {
  // Windows cannot open a directory for fsync; there a rename is made durable by the file system itself.
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
}

function write(target, bytes, skipIfExists) {
  if (skipIfExists && fs.existsSync(target)) return;
  const dir = path.dirname(target);
  fs.mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, '.' + path.basename(target) + '.' + crypto.randomBytes(6).toString('hex') + workerData.suffix);
  const fd = fs.openSync(temp, 'wx');
  try {
    for (let offset = 0; offset < bytes.length; ) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  fs.renameSync(temp, target);
}

parentPort.on('message', (task) => {
  try {
    if (task.kind === 'write') write(task.target, task.bytes, task.skipIfExists);
    else syncDirectory(task.dir);
    parentPort.postMessage({ id: task.id, ok: true });
  } catch (error) {
    parentPort.postMessage({ id: task.id, ok: false, message: error instanceof Error ? error.message : String(error), code: error && error.code });
  }
});
`;

type Task =
  | { readonly kind: 'write'; readonly target: string; readonly bytes: Uint8Array; readonly skipIfExists: boolean }
  | { readonly kind: 'syncDirectory'; readonly dir: string };

interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly message?: string;
  readonly code?: unknown;
}

function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && typeof (value as Reply).id === 'number' && typeof (value as Reply).ok === 'boolean';
}

export class DurableWriter {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private nextWorker = 0;

  constructor(threads = 4) {
    for (let i = 0; i < Math.max(1, threads); i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { suffix: TEMP_SUFFIX } });
      worker.on('message', (reply: unknown) => this.settle(reply));
      worker.on('error', (error) => this.failAll(error));
      this.workers.push(worker);
    }
  }

  /**
   * Writes `bytes` to `target` (temporary name in the same folder, fsync, rename); with `skipIfExists`, a
   * target already there is kept. The rename is durable only after `syncDirectories` on its folder.
   */
  write(target: string, bytes: Uint8Array, skipIfExists = false): Promise<void> {
    return this.run({ kind: 'write', target, bytes, skipIfExists });
  }

  /** Makes the renames in `dirs` durable (fsync of each folder, once). */
  async syncDirectories(dirs: Iterable<string>): Promise<void> {
    await Promise.all([...new Set(dirs)].map((dir) => this.run({ kind: 'syncDirectory', dir })));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.failAll(new Error('The durable writer was closed.'));
  }

  private run(task: Task): Promise<void> {
    const id = this.nextId++;
    const worker = this.workers[this.nextWorker++ % this.workers.length];
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker?.postMessage({ ...task, id });
    });
  }

  private settle(reply: unknown): void {
    if (!isReply(reply)) return;
    const waiter = this.waiting.get(reply.id);
    if (waiter === undefined) return;
    this.waiting.delete(reply.id);
    if (reply.ok) waiter.resolve();
    else waiter.reject(new LibraryError('IO_ERROR', `A library file could not be written: ${reply.message ?? 'unknown error'}`, { code: reply.code }));
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}
