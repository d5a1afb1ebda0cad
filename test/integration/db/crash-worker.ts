/**
 * The process the crash test kills. It loads, says "loaded", and waits for one line on stdin — a JSON array of
 * arguments — so that the test can start the next worker while the current one runs:
 * `["import", library, folder]` imports the folder; `["edit", library]` repeats bulk edits until killed.
 * It writes "ready" once the library is open, so that the kill lands during the work.
 */
import { createInterface } from 'node:readline';
import { addToAlbum, createAlbum, findAlbumByName, removeFromAlbum, reorderAlbum } from '../../../db/albums';
import { addTags, removeTags, setFavourite, setRating } from '../../../db/images';
import { importFolder } from '../../../db/import';
import { openLibrary } from '../../../db/library';

process.stdout.write('loaded\n');
const lines = createInterface({ input: process.stdin });
const [line] = await lines[Symbol.asyncIterator]().next().then((r) => [r.value as string]);
lines.close();
const [mode, libraryDir, folder] = JSON.parse(line ?? '[]') as string[];

const { library } = await openLibrary(libraryDir ?? '');
process.stdout.write('ready\n');

if (mode === 'import') {
  await importFolder(library, folder ?? '', { concurrency: 2, batchSize: 3 });
} else {
  const album = (await findAlbumByName(library.db, 'crash')) ?? (await createAlbum(library.db, { name: 'crash' }));
  const ids = (await library.db.selectFrom('images').select('id').orderBy('id').execute()).map((r) => r.id);
  for (let round = 1; ; round++) {
    await setRating(library.db, { ids }, round % 6);
    await setFavourite(library.db, { filters: {} }, round % 2 === 0);
    await (round % 2 === 0 ? addTags : removeTags)(library.db, { ids }, ['crash-tag']);
    await (round % 2 === 0 ? addToAlbum : removeFromAlbum)(library.db, album.id, { ids });
    if (round % 2 === 0) await reorderAlbum(library.db, album.id, ids.slice(0, ids.length / 2), null);
  }
}
await library.close();
process.stdout.write('done\n');
