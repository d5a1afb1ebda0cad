/** Shared set-up for the library's integration tests: a library in a fresh temporary folder. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openLibrary, type Library } from '../../../db/library';
import type { NewImageRow } from '../../../db/schema';

export async function tempDir(prefix = 'studio-library-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

export async function withLibrary<T>(fn: (library: Library) => Promise<T>): Promise<T> {
  const dir = await tempDir();
  const { library } = await openLibrary(dir);
  try {
    return await fn(library);
  } finally {
    await library.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** A row with no file behind it, for query tests that do not need pixels. */
export function syntheticRow(n: number, extra: Partial<NewImageRow> = {}): NewImageRow {
  return {
    content_hash: `hash-${n}`,
    file_path: `originals/${n}.png`,
    thumbnail_path: null,
    format: 'png',
    file_size: 100,
    prompt: `image ${n}`,
    negative_prompt: '',
    model_name: 'model-a',
    model_hash: null,
    sampler: 'euler-a',
    steps: 20,
    guidance: 7,
    seed: n,
    width: 512,
    height: 512,
    created_at: 1_700_000_000_000 + n * 1000,
    imported_at: 1_700_000_000_000,
    source: 'studio',
    metadata_json: null,
    companion_id: null,
    remote_id: null,
    deleted_at: null,
    missing_at: null,
    // Every row names every column: in a multi-row insert a column one row omits would be NULL for all.
    favourite: 0,
    rating: 0,
    sync_state: 'local',
    likes: 0,
    tokens_spent: 0,
    ...extra,
  };
}

export async function insertRows(library: Library, rows: readonly NewImageRow[]): Promise<number[]> {
  const ids: number[] = [];
  await library.db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += 500) {
      const inserted = await trx.insertInto('images').values(rows.slice(i, i + 500)).returning('id').execute();
      ids.push(...inserted.map((r) => r.id));
    }
  });
  return ids;
}
