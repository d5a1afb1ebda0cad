/**
 * The built renderer the end-to-end tests and `bench:ui` serve: `out/renderer`, rebuilt with the project's own
 * `npm run build:renderer` when it is missing or older than any of its sources, so a run never tests a stale UI.
 * Test files run in parallel processes: one builds while the others wait on a lock, then find it fresh.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const RENDERER_DIR = path.join(ROOT, 'out', 'renderer');

/** What the renderer's bundle is made from: its own folder, the contract and the browser client, its build config. */
const SOURCES = ['renderer', 'electron/contract', 'electron/web/client.ts', 'vite.config.ts', 'tsconfig.web.json', 'package-lock.json'];

async function newestMtime(entry: string): Promise<number> {
  let stat;
  try {
    stat = await fs.stat(entry);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of await fs.readdir(entry)) {
    if (child === 'node_modules') continue;
    newest = Math.max(newest, await newestMtime(path.join(entry, child)));
  }
  return newest;
}

async function builtAt(): Promise<number> {
  try {
    return (await fs.stat(path.join(RENDERER_DIR, 'index.html'))).mtimeMs;
  } catch {
    return 0;
  }
}

function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${String(code)}:\n${Buffer.concat(output).toString('utf8')}`));
    });
  });
}

/** One lock per checkout, in the temp folder: a directory, because creating one is atomic. */
const LOCK = path.join(tmpdir(), `studio-renderer-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`);
/** Longer than any build: a lock this old was left by a process that died. */
const STALE_LOCK_MS = 5 * 60_000;

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await fs.mkdir(LOCK);
      break;
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
      const age = await fs.stat(LOCK).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > STALE_LOCK_MS) await fs.rm(LOCK, { recursive: true, force: true });
      else await sleep(200);
    }
  }
  try {
    return await work();
  } finally {
    await fs.rm(LOCK, { recursive: true, force: true });
  }
}

async function fresh(): Promise<boolean> {
  const sources = Math.max(...(await Promise.all(SOURCES.map((s) => newestMtime(path.join(ROOT, s))))));
  return (await builtAt()) > sources;
}

/** Builds the renderer if needed; returns the folder to serve. */
export async function builtRenderer(log: (line: string) => void = () => undefined): Promise<string> {
  if (await fresh()) return RENDERER_DIR;
  return withLock(async () => {
    // Another process may have built it while this one waited.
    if (await fresh()) return RENDERER_DIR;
    log('Building the renderer (out/renderer is missing or older than its sources)…');
    await run('npm', ['run', '--silent', 'build:renderer']);
    if ((await builtAt()) === 0) throw new Error(`npm run build:renderer finished but wrote no ${path.join(RENDERER_DIR, 'index.html')}`);
    return RENDERER_DIR;
  });
}
