/**
 * The library `bench:ui` serves: 100,000 images whose originals and thumbnails are all on disk, so the gallery
 * fetches and decodes a distinct thumbnail per tile, as it would in a real library. The pixels come from a few
 * hundred real images (PNG originals, WebP thumbnails made by the library's own `makeThumbnail`); each row's
 * files are hard links to one of them under the row's own content-addressed names, which costs directory
 * entries, not disk. Rows go in through the library's own `insertImageRows`, in batches, in one transaction.
 * Built once and cached under the temp folder, keyed by the schema version and this generator's version.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { inTransaction } from '../../../db/connection';
import { originalPath, thumbnailPath } from '../../../db/files';
import { openLibrary } from '../../../db/library';
import { SCHEMA_VERSION } from '../../../db/migrations/index';
import type { NewImageRow } from '../../../db/schema';
import { insertImageRows } from '../../../db/store';
import { makeThumbnail } from '../../../db/thumbnails';
import { MODELS, SAMPLERS, random, vocabulary } from '../library/synthetic';

const GENERATOR_VERSION = 1;
export const ROWS = 100_000;
/** Distinct pictures behind the rows. */
const PICTURES = 400;
const SIDE = 512;
/** Rows per INSERT: 22 columns each stay well under SQLite's 32,766 bound variables. */
const BATCH = 1000;
const START = Date.UTC(2025, 0, 1);

const COLOURS = ['#d1495b', '#edae49', '#66a182', '#00798c', '#30638e', '#003d5b', '#8e5572', '#f2f2f2', '#1b1b1e'];

/** A flat shape on a two-colour gradient: compresses like a generated illustration, each one different. */
function pictureSvg(i: number): string {
  const next = random(5000 + i);
  const pick = () => COLOURS[Math.floor(next() * COLOURS.length)] ?? '#808080';
  const [a, b, fill] = [pick(), pick(), pick()];
  const cx = 128 + next() * 256;
  const cy = 128 + next() * 256;
  const r = 60 + next() * 120;
  const kind = i % 3;
  const shape =
    kind === 0
      ? `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${fill}"/>`
      : kind === 1
        ? `<rect x="${cx - r}" y="${cy - r}" width="${2 * r}" height="${2 * r}" fill="${fill}" transform="rotate(${next() * 90} ${cx} ${cy})"/>`
        : `<polygon points="${cx},${cy - r} ${cx + r},${cy + r} ${cx - r},${cy + r}" fill="${fill}"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIDE}" height="${SIDE}">
<defs><linearGradient id="g" x1="0" y1="0" x2="${next().toFixed(2)}" y2="1"><stop offset="0" stop-color="${a}"/><stop offset="1" stop-color="${b}"/></linearGradient></defs>
<rect width="${SIDE}" height="${SIDE}" fill="url(#g)"/>${shape}</svg>`;
}

async function buildPictures(dir: string): Promise<{ originals: string[]; thumbnails: string[]; sizes: number[] }> {
  await mkdir(dir, { recursive: true });
  const originals: string[] = [];
  const thumbnails: string[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < PICTURES; i++) {
    const png = await sharp(Buffer.from(pictureSvg(i))).png().toBuffer();
    const original = path.join(dir, `${i}.png`);
    const thumbnail = path.join(dir, `${i}.webp`);
    await writeFile(original, png);
    await writeFile(thumbnail, await makeThumbnail(png));
    originals.push(original);
    thumbnails.push(thumbnail);
    sizes.push(png.length);
  }
  return { originals, thumbnails, sizes };
}

async function buildLibrary(root: string, libraryDir: string, log: (line: string) => void): Promise<void> {
  const started = Date.now();
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
  log(`  ${PICTURES} pictures`);
  const pictures = await buildPictures(path.join(root, 'pictures'));
  const { library } = await openLibrary(libraryDir, { reconcile: 'never' });
  try {
    const words = vocabulary().slice(0, 600);
    const next = random(4242);
    const prompt = () => Array.from({ length: 8 + Math.floor(next() * 12) }, () => words[Math.floor(next() ** 2 * words.length)] ?? '').join(' ');
    const rows: { row: NewImageRow; picture: number }[] = [];
    for (let i = 0; i < ROWS; i++) {
      const hash = createHash('sha256').update(`bench-ui-${i}`).digest('hex');
      const picture = i % PICTURES;
      rows.push({
        picture,
        row: {
          content_hash: hash,
          file_path: originalPath(hash, 'png'),
          thumbnail_path: thumbnailPath(hash),
          format: 'png',
          file_size: pictures.sizes[picture] ?? 0,
          prompt: prompt(),
          negative_prompt: next() < 0.5 ? prompt() : '',
          model_name: MODELS[Math.floor(next() * MODELS.length)] ?? null,
          model_hash: null,
          sampler: SAMPLERS[Math.floor(next() * SAMPLERS.length)] ?? null,
          steps: 20 + Math.floor(next() * 20),
          guidance: 4 + Math.floor(next() * 8),
          seed: Math.floor(next() * 2 ** 32),
          width: SIDE,
          height: SIDE,
          // A minute apart, oldest first: the gallery's newest-first order is the reverse of insertion.
          created_at: START + i * 60_000,
          imported_at: START + i * 60_000,
          source: 'studio',
          metadata_json: null,
          companion_id: null,
          deleted_at: null,
          missing_at: null,
        },
      });
    }
    log(`  files (${seconds()})`);
    const made = new Set<string>();
    for (const [k, { row, picture }] of rows.entries()) {
      for (const [relative, source] of [
        [row.file_path, pictures.originals[picture]],
        [row.thumbnail_path ?? '', pictures.thumbnails[picture]],
      ] as const) {
        if (source === undefined) throw new Error(`picture ${picture} is missing`);
        const target = library.resolve(relative);
        const dir = path.dirname(target);
        if (!made.has(dir)) {
          await mkdir(dir, { recursive: true });
          made.add(dir);
        }
        await link(source, target);
      }
      if (k % 20_000 === 19_999) log(`    ${k + 1} rows' files (${seconds()})`);
    }
    log(`  rows (${seconds()})`);
    await inTransaction(library.db, async (trx) => {
      for (let k = 0; k < rows.length; k += BATCH) await insertImageRows(trx, rows.slice(k, k + BATCH).map((r) => r.row));
    });
    library.sqlite.exec('ANALYZE');
    library.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    log(`  done (${seconds()})`);
  } finally {
    await library.close();
  }
}

/** The cached 100,000-image library's folder, built first if needed. */
export async function benchLibrary(log: (line: string) => void): Promise<string> {
  const root = path.join(tmpdir(), `studio-bench-ui-s${SCHEMA_VERSION}-g${GENERATOR_VERSION}`);
  const libraryDir = path.join(root, 'library');
  const complete = path.join(root, 'library.complete');
  if (!existsSync(complete)) {
    log(`Building a library of ${ROWS} images in ${libraryDir} (cached for later runs)…`);
    await rm(root, { recursive: true, force: true });
    await buildLibrary(root, libraryDir, log);
    await writeFile(complete, '');
  }
  return libraryDir;
}
