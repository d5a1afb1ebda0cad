/**
 * Importing a folder of images made by other tools (recursively: PNG, JPEG, WebP). Files are copied into the
 * library, never moved or changed at the source. Hostile or broken files are rejected one by one with a reason;
 * duplicates (same bytes) are counted and skipped.
 *
 * Throughput: files are read, checked and thumbnailed by a small pool (sharp decodes on libuv's threads); their
 * copies are written and fsynced on threads of their own (`DurableWriter`) while the pool moves on; rows are
 * committed in batches — one transaction and one fsync per folder per batch instead of per file.
 * Memory: at most `maxBytesInFlight` of file content is held at once (a single larger file goes alone).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DurableWriter } from './durable-writer';
import { thumbnailPath } from './files';
import type { Library } from './library';
import { RejectedFile, type RejectionReason } from './metadata/index';
import { imageRow, insertImageRows, readImageFile } from './store';
import type { NewImageRow } from './schema';
import { makeThumbnail } from './thumbnails';

export const IMPORTABLE_EXTENSIONS: ReadonlySet<string> = new Set(['.png', '.jpg', '.jpeg', '.webp']);

export interface ImportProgress {
  readonly total: number;
  readonly processed: number;
  readonly imported: number;
  readonly duplicates: number;
  readonly rejected: number;
}

export interface ImportRejection {
  /** Relative to the imported folder. */
  readonly file: string;
  readonly reason: RejectionReason;
  readonly message: string;
}

export interface ImportReport {
  readonly imported: number;
  readonly duplicates: number;
  readonly rejected: readonly ImportRejection[];
  readonly imageIds: readonly number[];
}

export interface ImportOptions {
  readonly onProgress?: (progress: ImportProgress) => void;
  readonly signal?: AbortSignal;
  /**
   * Thumbnails decoded at once (default 4: enough to keep sharp's threads busy on two cores). Twice as many
   * files are in flight, so that the next ones are read and checked while these decode.
   */
  readonly concurrency?: number;
  /** Rows per transaction (default 200). */
  readonly batchSize?: number;
  readonly maxBytesInFlight?: number;
  readonly now?: number;
}

/** Image files under `folder`, sorted, skipping symbolic links (no loops) and the library's own folder. */
export async function listImportableFiles(folder: string, exclude: string): Promise<string[]> {
  const entries = await fs.readdir(folder, { recursive: true, withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !IMPORTABLE_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) continue;
    const full = path.join(entry.parentPath, entry.name);
    if (full === exclude || full.startsWith(exclude + path.sep)) continue;
    files.push(full);
  }
  return files.sort();
}

/** A counting semaphore: over bytes for the memory budget, over slots for the decoders. */
class Semaphore {
  private used = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly capacity: number) {}

  async acquire(bytes: number): Promise<number> {
    const amount = Math.min(bytes, this.capacity);
    while (this.used + amount > this.capacity) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.used += amount;
    return amount;
  }

  release(amount: number): void {
    this.used -= amount;
    for (const wake of this.waiting.splice(0)) wake();
  }
}

export async function importFolder(library: Library, folder: string, options: ImportOptions = {}): Promise<ImportReport> {
  const root = path.resolve(folder);
  const files = await listImportableFiles(root, library.dir);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const decoders = new Semaphore(concurrency);
  const batchSize = options.batchSize ?? 200;
  const budget = new Semaphore(options.maxBytesInFlight ?? 256 * 1024 * 1024);
  const now = options.now ?? Date.now();
  const writer = new DurableWriter();

  const rejected: ImportRejection[] = [];
  const imageIds: number[] = [];
  const claimed = new Set<string>();
  let duplicates = 0;
  let processed = 0;
  let pending: { row: NewImageRow; dirs: string[]; written: Promise<void> }[] = [];
  let flushing: Promise<void> = Promise.resolve();

  const progress = () =>
    options.onProgress?.({ total: files.length, processed, imported: imageIds.length, duplicates, rejected: rejected.length });

  // Files and rows move together (CONVENTIONS.md › Data, 12): a batch's rows commit only once its files are
  // fsynced under their names and their folders fsynced.
  const flush = () => {
    const batch = pending;
    pending = [];
    flushing = flushing.then(async () => {
      if (batch.length === 0) return;
      await Promise.all(batch.map((p) => p.written));
      await writer.syncDirectories(batch.flatMap((p) => p.dirs));
      const ids = await library.db.transaction().execute((trx) => insertImageRows(trx, batch.map((p) => p.row)));
      imageIds.push(...ids);
      progress();
    });
    return flushing;
  };

  const importOne = async (file: string): Promise<void> => {
    // A file that cannot be stat'ed holds no budget; readImageFile rejects it with the reason.
    const { size } = await fs.stat(file).catch(() => ({ size: 0 }));
    const held = await budget.acquire(size);
    let handedOver = false;
    try {
      const image = await readImageFile(file);
      const known = await library.db.selectFrom('images').select('id').where('content_hash', '=', image.hash).executeTakeFirst();
      if (known !== undefined || claimed.has(image.hash)) {
        duplicates++;
        return;
      }
      claimed.add(image.hash);
      const slot = await decoders.acquire(1);
      const thumbnail = await makeThumbnail(image.bytes).finally(() => decoders.release(slot));
      const row = imageRow(image.hash, image.meta, image.bytes.length, image.mtimeMs, now);
      const original = library.resolve(row.file_path);
      const thumb = library.resolve(thumbnailPath(row.content_hash));
      // The writes go on while this worker moves to its next file; the batch's flush waits for them. The bytes
      // stay counted against the budget until they are on disk.
      const written = Promise.all([writer.write(original, image.bytes, true), writer.write(thumb, thumbnail)]).then(() => undefined);
      handedOver = true;
      written.then(
        () => budget.release(held),
        () => budget.release(held),
      );
      pending.push({ row, dirs: [path.dirname(original), path.dirname(thumb)], written });
      if (pending.length >= batchSize) await flush();
    } catch (error) {
      if (!(error instanceof RejectedFile)) throw error;
      rejected.push({ file: path.relative(root, file), reason: error.reason, message: error.message });
    } finally {
      if (!handedOver) budget.release(held);
      processed++;
      if (processed % 50 === 0) progress();
    }
  };

  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < files.length && !failed) {
      options.signal?.throwIfAborted();
      const file = files[next++];
      if (file === undefined) continue;
      try {
        await importOne(file);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  try {
    const outcomes = await Promise.allSettled(Array.from({ length: 2 * concurrency }, worker));
    // What was prepared before an abort or an error is committed, not left for reconciliation.
    await flush();
    const failure = outcomes.find((o) => o.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  } finally {
    await writer.close();
  }
  progress();
  return { imported: imageIds.length, duplicates, rejected, imageIds };
}
