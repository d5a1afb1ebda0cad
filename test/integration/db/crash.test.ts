/**
 * Crash safety: SIGKILL the process at random points during an import and during bulk edits, many times; after
 * each restart the database passes `PRAGMA integrity_check`, every original has its row, every row's file is
 * there, and in the end nothing the import was given is lost.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { integrityProblems } from '../../../db/connection';
import { ORIGINALS_DIR, TEMP_SUFFIX } from '../../../db/files';
import { importFolder } from '../../../db/import';
import { openLibrary, type Library } from '../../../db/library';
import { studioPng } from '../../fixtures/library/images';
import { tempDir } from './helpers';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crash-worker.ts');
const IMPORT_KILLS = 10;
const FILES_PER_IMPORT = 8;
const EDIT_KILLS = 5;
/** Each round starts a Node process (about a second on two busy cores); the default 60 s is too tight under load. */
const TIMEOUT_MS = 180_000;

/** A seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

interface Worker {
  readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly exited: Promise<number | null>;
  /** Resolves when the worker prints `line`; rejects if it exits first. */
  said(line: string): Promise<void>;
  stderr(): string;
}

/** Starts a worker that loads its modules and waits: starting costs seconds on two busy cores. */
function startWorker(): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const said = (line: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => (stdout.split('\n').includes(line) ? resolve() : undefined);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        check();
      });
      check();
      void exited.then(() => reject(new Error(`worker exited before "${line}": ${stderr}`)));
    });
  return { child, exited, said, stderr: () => stderr };
}

/** Lets `worker` run `args`, waits until it has the library open, lets it work `delayMs`, then SIGKILLs it. */
async function killDuring(worker: Worker, args: readonly string[], delayMs: number): Promise<'killed' | 'finished'> {
  await worker.said('loaded');
  worker.child.stdin.write(`${JSON.stringify(args)}\n`);
  await worker.said('ready');
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  const killed = worker.child.kill('SIGKILL');
  const code = await worker.exited;
  if (code !== null && code !== 0) throw new Error(`worker failed: ${worker.stderr()}`);
  return killed && code === null ? 'killed' : 'finished';
}

async function checkConsistent(library: Library): Promise<void> {
  expect(integrityProblems(library.sqlite)).toEqual([]);
  const rows = await library.db.selectFrom('images').select(['file_path', 'missing_at']).execute();
  const onDisk = (await readdir(path.join(library.dir, ORIGINALS_DIR), { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.relative(library.dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
  expect(onDisk.filter((f) => f.endsWith(TEMP_SUFFIX))).toEqual([]);
  expect(new Set(onDisk)).toEqual(new Set(rows.map((r) => r.file_path)));
  expect(rows.filter((r) => r.missing_at !== null)).toEqual([]);
}

describe('crash safety', () => {
  it('survives SIGKILL at random points of imports, then of bulk edits', async () => {
    const sources = await tempDir('studio-crash-src-');
    const folders: string[] = [];
    for (let round = 0; round < IMPORT_KILLS; round++) {
      const folder = path.join(sources, `round-${round}`);
      await mkdir(folder);
      for (let i = 0; i < FILES_PER_IMPORT; i++) {
        const seed = 2000 + round * FILES_PER_IMPORT + i;
        await writeFile(path.join(folder, `${i}.png`), await studioPng({ prompt: `crash test ${seed}`, negativePrompt: '', seed }, 48, 48));
      }
      folders.push(folder);
    }
    const total = IMPORT_KILLS * FILES_PER_IMPORT;
    const libraryDir = await tempDir();
    const next = random(20261124);
    let killedMidway = 0;
    let upcoming = startWorker();
    const take = () => {
      const worker = upcoming;
      upcoming = startWorker();
      return worker;
    };

    try {
      for (const folder of folders) {
        if ((await killDuring(take(), ['import', libraryDir, folder], Math.floor(next() * 250))) === 'killed') killedMidway++;
        const { library } = await openLibrary(libraryDir);
        await checkConsistent(library);
        await library.close();
      }

      {
        const { library } = await openLibrary(libraryDir);
        const report = await importFolder(library, sources);
        expect(report.rejected).toEqual([]);
        const count = await library.db.selectFrom('images').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        expect(count.n).toBe(total);
        await checkConsistent(library);
        await library.close();
      }

      for (let round = 0; round < EDIT_KILLS; round++) {
        await killDuring(take(), ['edit', libraryDir], 100 + Math.floor(next() * 400));
        const { library } = await openLibrary(libraryDir);
        await checkConsistent(library);
        // Each bulk edit is one transaction: it applied to every image or to none.
        const uniform = await library.db
          .selectFrom('images')
          .select((eb) => [eb.fn.count<number>('rating').distinct().as('ratings'), eb.fn.count<number>('favourite').distinct().as('favourites')])
          .executeTakeFirstOrThrow();
        expect(uniform).toEqual({ ratings: 1, favourites: 1 });
        const tagged = await library.db.selectFrom('image_tags').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        expect([0, total]).toContain(tagged.n);
        const members = await library.db.selectFrom('album_images').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        expect([0, total]).toContain(members.n);
        await library.close();
      }
    } finally {
      upcoming.child.kill('SIGKILL');
    }
    // Most kills must land inside an import, or the test proves little.
    expect(killedMidway).toBeGreaterThan(IMPORT_KILLS / 2);
  }, TIMEOUT_MS);
});
