import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addToAlbum, createAlbum } from '../../../db/albums';
import { contentHash, originalPath, SESSIONS_DIR, TEMP_SUFFIX } from '../../../db/files';
import { countImages, getImage, listImages } from '../../../db/images';
import { importFolder } from '../../../db/import';
import { claimNextJob, enqueueJob, getJob } from '../../../db/jobs';
import { openLibrary, rebuildLibrary } from '../../../db/library';
import { reconcileLibrary } from '../../../db/reconcile';
import { exportImages } from '../../../db/export';
import { pixels, studioPng } from '../../fixtures/library/images';
import { tempDir, withLibrary } from './helpers';

async function importSome(library: Parameters<Parameters<typeof withLibrary>[0]>[0], count: number) {
  const folder = await tempDir('studio-src-');
  for (let i = 0; i < count; i++) {
    await writeFile(path.join(folder, `${i}.png`), await studioPng({ prompt: `picture number ${i}`, negativePrompt: '', seed: 500 + i }));
  }
  return importFolder(library, folder);
}

describe('reconcileLibrary', () => {
  it('imports originals without rows, marks rows without files, removes temporaries, rebuilds thumbnails', () =>
    withLibrary(async (library) => {
      const { imageIds } = await importSome(library, 3);
      const [gone = 0, thumbless = 0] = imageIds;
      const goneImage = await getImage(library.db, gone);
      const thumblessImage = await getImage(library.db, thumbless);
      await rename(library.resolve(goneImage.filePath), path.join(library.dir, 'moved-away.png'));
      await rm(library.resolve(thumblessImage.thumbnailPath ?? ''));

      // A crash between rename and commit: the file is in place, its row never committed.
      const orphan = await studioPng({ prompt: 'an orphan owl', negativePrompt: '', seed: 900 });
      const orphanPath = library.resolve(originalPath(contentHash(orphan), 'png'));
      await mkdir(path.dirname(orphanPath), { recursive: true });
      await writeFile(orphanPath, orphan);
      // A crash mid-write: a temporary file.
      await writeFile(path.join(path.dirname(orphanPath), `.x.png.abc${TEMP_SUFFIX}`), 'partial');
      // A user's file dropped into originals/, and one that is not an image.
      await writeFile(library.resolve('originals/holiday.png'), await pixels('png', 901));
      await writeFile(library.resolve('originals/readme.png'), 'not a picture');

      const report = await reconcileLibrary(library);
      expect(report).toMatchObject({ temporaryFilesRemoved: 1, imported: 2, markedMissing: 1, found: 0, thumbnailsRebuilt: 1, thumbnailsRemoved: 0 });
      expect(report.setAside.map((s) => s.file).sort()).toEqual(['set-aside/holiday.png', 'set-aside/readme.png']);
      expect((await getImage(library.db, gone)).missingAt).not.toBeNull();
      expect((await listImages(library.db, { filters: { text: 'owl' }, sort: 'relevance' })).items).toHaveLength(1);
      await expect(readFile(library.resolve(thumblessImage.thumbnailPath ?? ''))).resolves.toBeInstanceOf(Buffer);
      // Nothing of the user's was deleted: the unreadable file and the dropped one are set aside.
      expect((await readdir(path.join(library.dir, 'set-aside'))).sort()).toEqual(['holiday.png', 'readme.png']);

      await rename(path.join(library.dir, 'moved-away.png'), library.resolve(goneImage.filePath));
      expect(await reconcileLibrary(library)).toMatchObject({ found: 1, markedMissing: 0, imported: 0 });
    }));

  it('runs on open after a session that did not close, and requeues its running jobs', async () => {
    const dir = await tempDir();
    const first = (await openLibrary(dir)).library;
    const job = await enqueueJob(first.db, {});
    await claimNextJob(first.db);
    await first.close();
    // Simulate a process that died with the library open.
    await writeFile(path.join(dir, SESSIONS_DIR, '999999999'), '');
    const { library, reconciled } = await openLibrary(dir);
    expect(reconciled).not.toBeNull();
    expect((await getJob(library.db, job.id)).status).toBe('queued');
    await library.close();
    const clean = await openLibrary(dir);
    expect(clean.reconciled).toBeNull();
    await clean.library.close();
    expect(await readdir(path.join(dir, SESSIONS_DIR))).toEqual([]);
  });

  it('rebuilds a damaged database from the originals, keeping the damaged file', async () => {
    const dir = await tempDir();
    const { library } = await openLibrary(dir);
    await importSome(library, 4);
    await library.close();
    const database = path.join(dir, 'library.sqlite');
    await writeFile(database, Buffer.alloc(4096, 0x33));
    await expect(openLibrary(dir)).rejects.toMatchObject({ code: 'DB_CORRUPT' });
    const rebuilt = await rebuildLibrary(dir, 7);
    expect(rebuilt.setAsideDatabase).toBe(`${database}.damaged-7`);
    expect(rebuilt.reconciled.imported).toBe(4);
    const reopened = (await openLibrary(dir)).library;
    expect(await countImages(reopened.db, { text: 'picture' })).toBe(4);
    await reopened.close();
  });
});

describe('exportImages', () => {
  it('exports an album to a folder and a selection to a zip, byte for byte', () =>
    withLibrary(async (library) => {
      const { imageIds } = await importSome(library, 3);
      const album = await createAlbum(library.db, { name: 'Best' });
      await addToAlbum(library.db, album.id, { ids: [...imageIds].reverse() });
      const out = await tempDir('studio-export-');
      expect(await exportImages(library, { albumId: album.id }, { folder: path.join(out, 'best') })).toEqual({ exported: 3, missing: [] });
      const names = (await readdir(path.join(out, 'best'))).sort();
      expect(names).toEqual([`00001-${imageIds[2]}.png`, `00002-${imageIds[1]}.png`, `00003-${imageIds[0]}.png`]);
      const first = await getImage(library.db, imageIds[2] ?? 0);
      expect(contentHash(await readFile(path.join(out, 'best', names[0] ?? '')))).toBe(first.contentHash);
      await expect(exportImages(library, { albumId: album.id }, { folder: path.join(out, 'best') })).rejects.toMatchObject({ code: 'CONFLICT' });
      // A folder holding only the last name is refused before anything is copied into it.
      await mkdir(path.join(out, 'late'));
      await writeFile(path.join(out, 'late', names[2] ?? ''), 'mine');
      await expect(exportImages(library, { albumId: album.id }, { folder: path.join(out, 'late') })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await readdir(path.join(out, 'late'))).toEqual([names[2]]);

      const zip = path.join(out, 'all.zip');
      expect(await exportImages(library, { ids: imageIds }, { zip })).toEqual({ exported: 3, missing: [] });
      const bytes = await readFile(zip);
      expect(bytes.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
      // Stored, not deflated: the original's bytes appear verbatim inside the archive.
      const original = await readFile(library.resolve(first.filePath));
      expect(bytes.indexOf(original)).toBeGreaterThan(0);

      // An original gone from the folder since the last reconciliation is left out and reported.
      await rm(library.resolve(first.filePath));
      expect(await exportImages(library, { ids: imageIds }, { zip: path.join(out, 'two.zip') })).toEqual({ exported: 2, missing: [first.id] });
    }));

  it('reports its progress in bytes of the originals, from nothing to all of them, to a folder and to a zip', () =>
    withLibrary(async (library) => {
      const { imageIds } = await importSome(library, 3);
      const sizes = await Promise.all(imageIds.map(async (id) => (await getImage(library.db, id)).fileSize));
      const total = sizes.reduce((a, b) => a + b, 0);
      const out = await tempDir('studio-export-');
      for (const target of [{ folder: path.join(out, 'folder') }, { zip: path.join(out, 'all.zip') }]) {
        const seen: { done: number; total: number }[] = [];
        await exportImages(library, { ids: imageIds }, target, { onProgress: (p) => seen.push(p) });
        expect(seen[0], JSON.stringify(target)).toEqual({ done: 0, total });
        expect(seen.at(-1)).toEqual({ done: total, total });
        expect(seen.every((p, i) => p.total === total && p.done <= total && (i === 0 || p.done >= (seen[i - 1]?.done ?? 0)))).toBe(true);
      }
    }));
});
