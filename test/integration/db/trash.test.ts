/** Emptying the trash: files and rows of trashed images go for good; nothing else does, and no crash brings one back. */
import { access, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addToAlbum, createAlbum, getAlbum } from '../../../db/albums';
import { countImages, getImage, listImages, trashImages } from '../../../db/images';
import { importFolder } from '../../../db/import';
import type { Library } from '../../../db/library';
import { enqueuePublish } from '../../../db/outbox';
import { reconcileLibrary } from '../../../db/reconcile';
import { emptyTrash } from '../../../db/trash';
import { studioPng } from '../../fixtures/library/images';
import { insertRows, syntheticRow, tempDir, withLibrary } from './helpers';

async function importSome(library: Library, count: number): Promise<number[]> {
  const folder = await tempDir('studio-src-');
  for (let i = 0; i < count; i++) {
    await writeFile(path.join(folder, `${i}.png`), await studioPng({ prompt: `lighthouse number ${i}`, negativePrompt: '', seed: 700 + i }));
  }
  const { imageIds } = await importFolder(library, folder);
  return [...imageIds].sort((a, b) => a - b);
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

describe('emptyTrash', () => {
  it('deletes the trashed images’ files and rows, keeps the rest and the published, and leaves the search and albums consistent', () =>
    withLibrary(async (library) => {
      const [a = 0, b = 0, c = 0, d = 0] = await importSome(library, 4);
      const album = await createAlbum(library.db, { name: 'Lighthouses' });
      await addToAlbum(library.db, album.id, { ids: [a, b, c, d] });
      await enqueuePublish(library.db, { idempotencyKey: 'published-c', imageId: c, visibility: 'public' });
      const files = await Promise.all([a, b, c, d].map((id) => getImage(library.db, id)));
      await trashImages(library.db, { ids: [a, b, c] });

      expect(await emptyTrash(library)).toEqual({ deleted: 2, kept: 1 });
      for (const image of files.slice(0, 2)) {
        expect(await exists(library.resolve(image.filePath))).toBe(false);
        expect(await exists(library.resolve(image.thumbnailPath ?? ''))).toBe(false);
        await expect(getImage(library.db, image.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      }
      // The one with publishing history, and the one never trashed, are untouched.
      expect(await exists(library.resolve(files[2]?.filePath ?? ''))).toBe(true);
      expect(await exists(library.resolve(files[3]?.filePath ?? ''))).toBe(true);
      expect(await countImages(library.db, { trashed: true })).toBe(1);
      expect(await countImages(library.db)).toBe(1);
      expect((await listImages(library.db, { filters: { text: 'lighthouse' } })).items.map((i) => i.id)).toEqual([d]);
      expect((await getAlbum(library.db, album.id)).imageCount).toBe(2);
      // Nothing for reconciliation to bring back.
      expect(await reconcileLibrary(library)).toMatchObject({ imported: 0, markedMissing: 0 });
      expect(await countImages(library.db, { trashed: true })).toBe(1);
    }));

  it('deletes only the trashed images of a selection, never one outside the trash', () =>
    withLibrary(async (library) => {
      const [a = 0, b = 0, c = 0] = await importSome(library, 3);
      await trashImages(library.db, { ids: [a, b] });
      expect(await emptyTrash(library, { ids: [a, c] })).toEqual({ deleted: 1, kept: 0 });
      expect(await countImages(library.db, { trashed: true })).toBe(1);
      expect(await countImages(library.db)).toBe(1);
      expect((await getImage(library.db, c)).id).toBe(c);
      expect(await emptyTrash(library, { filters: { text: 'lighthouse' } })).toEqual({ deleted: 1, kept: 0 });
      expect(await countImages(library.db, { trashed: true })).toBe(0);
      expect(await emptyTrash(library)).toEqual({ deleted: 0, kept: 0 });
    }));

  it('empties a trash larger than one batch', () =>
    withLibrary(async (library) => {
      await insertRows(library, Array.from({ length: 1234 }, (_, n) => syntheticRow(n)));
      expect(await trashImages(library.db, { filters: {} })).toBe(1234);
      expect(await emptyTrash(library)).toEqual({ deleted: 1234, kept: 0 });
      expect(await countImages(library.db, { trashed: true })).toBe(0);
    }));

  it('finishes a batch whose files a crash already removed, and reconciliation never resurrects one', () =>
    withLibrary(async (library) => {
      const [a = 0, b = 0] = await importSome(library, 2);
      await trashImages(library.db, { ids: [a, b] });
      // As after a crash between removing a batch's files and deleting its rows.
      const gone = await getImage(library.db, a);
      await rm(library.resolve(gone.filePath));
      await rm(library.resolve(gone.thumbnailPath ?? ''));
      expect(await reconcileLibrary(library)).toMatchObject({ imported: 0, markedMissing: 1 });
      expect(await emptyTrash(library)).toEqual({ deleted: 2, kept: 0 });
      expect(await countImages(library.db, { trashed: true })).toBe(0);
    }));
});
