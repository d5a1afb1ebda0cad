/**
 * The benchmark's synthetic library: 1,000,000 generated rows (prompts with a Zipf-like word distribution, as
 * real prompts have: a few words in most prompts, a long tail of rare ones), albums, and 10,000 real PNGs with
 * the studio's metadata for the import measurement. Built once and cached under the temp folder, keyed by the
 * schema version and this generator's version, because building takes minutes on two cores.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { openLibrary } from '../../../db/library';
import { SCHEMA_VERSION } from '../../../db/migrations/index';
import { a1111Parameters, studioJson, textChunk, withPngChunks } from '../../fixtures/library/images';

const GENERATOR_VERSION = 1;
export const ROWS = 1_000_000;
export const REAL_FILES = 10_000;
export const ALBUM_SIZE = 10_000;
export const MODELS = ['sdxl-base', 'dreamshaper-8', 'juggernaut-xl', 'realistic-vision', 'anything-v5', 'studio-shapes', 'flux-schnell', 'pony-v6'];
export const SAMPLERS = ['euler-a', 'euler', 'dpmpp-2m', 'dpmpp-2m-sde', 'ddim', 'lcm'];
const SIZES: readonly (readonly [number, number])[] = [[512, 512], [512, 768], [768, 512], [1024, 1024], [832, 1216], [1216, 832]];
export const COMPANIONS = ['mia', 'leo', 'ava'];
const START = Date.UTC(2024, 0, 1);
const SPAN = 2 * 365 * 86_400_000;

const COMMON = (
  'masterpiece best quality detailed portrait of a woman man girl cat dog dragon castle forest city night sunset light ' +
  'cinematic lighting 8k photo realistic anime style painting oil watercolor fantasy sci fi cyberpunk neon street rain snow ' +
  'mountain lake river ocean beach flower garden red blue green golden silver black white dark bright soft sharp focus ' +
  'bokeh depth field wide angle close up full body smiling looking viewer long hair short armor dress hat glasses ' +
  'château forêt nuit lumière ville été hiver fête élégante rivière montagne jardin fleur rouge bleu doré'
).split(' ');

/** A deterministic generator, so that every run benchmarks the same library. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The vocabulary in rank order: real words first, then invented ones for the long tail. */
export function vocabulary(): string[] {
  const syllables = ['ka', 'lo', 'mi', 'ra', 'ven', 'dor', 'shi', 'tel', 'qua', 'zen', 'bri', 'nox', 'pel', 'sau', 'vir', 'gor'];
  const words = [...COMMON];
  const next = random(7);
  while (words.length < 5000) {
    const n = 2 + Math.floor(next() * 3);
    let word = '';
    for (let i = 0; i < n; i++) word += syllables[Math.floor(next() * syllables.length)];
    if (!words.includes(word)) words.push(word);
  }
  return words;
}

/** Draws word ranks with probability ∝ 1/(rank+1): the Zipf shape of real prompt vocabularies. */
function zipf(size: number, next: () => number): () => number {
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let i = 0; i < size; i++) cumulative[i] = total += 1 / (i + 1);
  return () => {
    const target = next() * total;
    let lo = 0;
    let hi = size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 0) < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** The rows depend on the schema; the PNGs only on this generator. */
function cacheDirs(): { library: string; files: string } {
  return {
    library: path.join(tmpdir(), `studio-bench-library-s${SCHEMA_VERSION}-g${GENERATOR_VERSION}`),
    files: path.join(tmpdir(), `studio-bench-library-files-g${GENERATOR_VERSION}`),
  };
}

async function buildDatabase(dir: string, log: (line: string) => void): Promise<void> {
  const { library } = await openLibrary(dir, { reconcile: 'never' });
  const db = library.sqlite;
  const words = vocabulary();
  const next = random(42);
  const word = zipf(words.length, next);
  const prompt = (min: number, extra: number) => {
    const n = min + Math.floor(next() * extra);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(words[word()] ?? '');
    return out.join(' ');
  };
  // A throwaway database being filled: durability buys nothing here and costs minutes. Indexes and the search
  // triggers are set aside during the load and recreated from their own SQL afterwards (building an index by
  // sorting is far faster than a million random inserts into ten B-trees); the result is the same schema. The
  // counter triggers stay: they are cheap, and the counters have no other way to be filled.
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1048576');
  const deferred = db
    .prepare(
      `SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'images' AND sql IS NOT NULL
       AND (type = 'index' OR (type = 'trigger' AND name LIKE 'images_fts%'))`,
    )
    .all() as { type: string; name: string; sql: string }[];
  for (const item of deferred) db.exec(`DROP ${item.type === 'index' ? 'INDEX' : 'TRIGGER'} ${item.name}`);
  const insert = db.prepare(`INSERT INTO images (content_hash, file_path, thumbnail_path, format, file_size, prompt, negative_prompt,
      model_name, model_hash, sampler, steps, guidance, seed, width, height, created_at, imported_at, source, metadata_json,
      favourite, rating, companion_id, sync_state, remote_id, likes, tokens_spent, deleted_at, missing_at)
    VALUES (?, ?, ?, 'png', ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, 'studio', NULL, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)`);
  const started = Date.now();
  db.transaction(() => {
    for (let i = 0; i < ROWS; i++) {
      const hash = `${i.toString(16).padStart(8, '0')}${'0'.repeat(56)}`;
      const [width, height] = SIZES[Math.floor(next() * SIZES.length)] ?? [512, 512];
      const published = next() < 0.02;
      insert.run(
        hash,
        `originals/${hash.slice(0, 2)}/${hash}.png`,
        `thumbnails/${hash.slice(0, 2)}/${hash}.webp`,
        400_000 + Math.floor(next() * 800_000),
        prompt(8, 18),
        next() < 0.6 ? prompt(3, 6) : '',
        MODELS[Math.floor(next() ** 1.5 * MODELS.length)] ?? null,
        SAMPLERS[Math.floor(next() * SAMPLERS.length)] ?? null,
        20 + Math.floor(next() * 20),
        4 + Math.floor(next() * 8),
        Math.floor(next() * 2 ** 32),
        width,
        height,
        // Rows arrive roughly in time order, as a library grows, with some imported history out of order.
        START + Math.floor((i / ROWS) * SPAN * (next() < 0.9 ? 1 : next())),
        START + Math.floor((i / ROWS) * SPAN),
        next() < 0.05 ? 1 : 0,
        next() < 0.7 ? 0 : 1 + Math.floor(next() * 5),
        next() < 0.05 ? (COMPANIONS[Math.floor(next() * COMPANIONS.length)] ?? null) : null,
        published ? 'published' : 'local',
        published ? `remote-${i}` : null,
        published ? Math.floor(next() ** 3 * 500) : 0,
        published ? 1 + Math.floor(next() * 10) : 0,
      );
      if (i % 100_000 === 99_999) log(`  ${i + 1} rows (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
  })();
  log('  indexes and search');
  for (const item of deferred) db.exec(item.sql);
  db.exec("INSERT INTO images_fts (rowid, prompt, negative_prompt, tags, albums) SELECT id, prompt, negative_prompt, '', '' FROM images");
  log(`  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  log('  albums');
  db.transaction(() => {
    const album = db.prepare("INSERT INTO albums (name, created_at, updated_at) VALUES (?, 0, 0)");
    const member = db.prepare('INSERT OR IGNORE INTO album_images (album_id, image_id, position, added_at) VALUES (?, ?, ?, 0)');
    for (let a = 0; a < 20; a++) {
      const albumId = Number(album.run(a === 0 ? 'Best of' : `Album ${a}`).lastInsertRowid);
      const size = a === 0 ? ALBUM_SIZE : 200;
      for (let k = 0; k < size; k++) member.run(albumId, 1 + Math.floor(next() * ROWS), k + 1);
    }
  })();
  log('  statistics');
  db.exec('ANALYZE');
  db.pragma('wal_checkpoint(TRUNCATE)');
  await library.close();
}

/** A smooth gradient with noise: compresses like a generated image, not like pure noise or a flat colour. */
async function realPng(i: number): Promise<Buffer> {
  const size = 256;
  const raw = Buffer.alloc(size * size * 3);
  const next = random(1000 + i);
  const [r0, g0, b0] = [next() * 255, next() * 255, next() * 255];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const o = (y * size + x) * 3;
      const n = next() * 24;
      raw[o] = (r0 + x * 0.5 + n) & 0xff;
      raw[o + 1] = (g0 + y * 0.5 + n) & 0xff;
      raw[o + 2] = (b0 + (x + y) * 0.25 + n) & 0xff;
    }
  }
  const png = await sharp(raw, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
  const fields = { prompt: `bench image ${i} of a lighthouse by the sea`, negativePrompt: 'blurry', seed: i };
  return withPngChunks(png, [
    textChunk({ type: 'tEXt', keyword: 'parameters', text: a1111Parameters(fields, size, size) }),
    textChunk({ type: 'iTXt', keyword: 'studio', text: studioJson(fields, size, size) }),
  ]);
}

async function buildFiles(dir: string, log: (line: string) => void): Promise<void> {
  await mkdir(dir, { recursive: true });
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < REAL_FILES) {
      const i = nextIndex++;
      await writeFile(path.join(dir, `${String(Math.floor(i / 1000))}-${i}.png`), await realPng(i));
      if (i % 2000 === 1999) log(`  ${i + 1} PNGs`);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

export interface SyntheticLibrary {
  /** The 1M-row library (rows only: its originals are not on disk). */
  readonly libraryDir: string;
  /** 10,000 real PNGs with metadata, for the import measurement. */
  readonly filesDir: string;
}

export async function syntheticLibrary(log: (line: string) => void): Promise<SyntheticLibrary> {
  const roots = cacheDirs();
  const libraryDir = path.join(roots.library, 'library');
  const filesDir = path.join(roots.files, 'files');
  if (!existsSync(path.join(roots.library, 'library.complete'))) {
    log(`Building ${ROWS} synthetic rows in ${libraryDir} (cached for later runs)…`);
    await rm(libraryDir, { recursive: true, force: true });
    await buildDatabase(libraryDir, log);
    await writeFile(path.join(roots.library, 'library.complete'), '');
  }
  if (!existsSync(path.join(roots.files, 'files.complete'))) {
    log(`Writing ${REAL_FILES} PNGs in ${filesDir} (cached for later runs)…`);
    await rm(filesDir, { recursive: true, force: true });
    await buildFiles(filesDir, log);
    await writeFile(path.join(roots.files, 'files.complete'), '');
  }
  return { libraryDir, filesDir };
}
