/**
 * `studio import | search | albums | trash | library`: the library from the command line, the same folder and database
 * the app uses. Runtime: Node (CLI).
 *
 * The library is `--library <dir>`, else `STUDIO_LIBRARY`, else the per-user default (db/location.ts).
 * Input the user can fix (bad flags, bad dates, an unknown album) is a `UsageError` (exit 2); a library that
 * cannot be used (corrupt, too new) is reported with its recovery path (exit 1).
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  addToAlbum,
  createAlbum,
  deleteAlbum,
  findAlbumByName,
  getAlbum,
  listAlbumImages,
  listAlbums,
  removeFromAlbum,
  renameAlbum,
  setAlbumCover,
  type Album,
} from '../../../db/albums';
import { integrityProblems } from '../../../db/connection';
import { LibraryError } from '../../../db/errors';
import { exportImages } from '../../../db/export';
import { countImages, listImages, restoreImages, trashImages, type Image } from '../../../db/images';
import { importFolder, type ImportProgress } from '../../../db/import';
import { openLibrary, rebuildLibrary, type Library } from '../../../db/library';
import { resolveLibraryDir } from '../../../db/location';
import { IMAGE_SORTS, type ImageFilters, type ImageSort } from '../../../db/query';
import { reconcileLibrary } from '../../../db/reconcile';
import { emptyTrash } from '../../../db/trash';
import { UsageError, type CliCommand, type CliIo } from '../command';

const LIBRARY_OPTION = { library: { type: 'string' } } as const;

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function libraryDir(flag: string | undefined, io: CliIo): string {
  return path.resolve(io.cwd, resolveLibraryDir(flag, io.env, process.platform, os.homedir()));
}

/** Opens the library for one command; library errors become one sentence (INVALID_INPUT: a usage error). */
async function withLibrary<T>(flag: string | undefined, io: CliIo, fn: (library: Library) => Promise<T>): Promise<T> {
  try {
    const { library, reconciled } = await openLibrary(libraryDir(flag, io));
    if (reconciled !== null) {
      io.stderr.write(
        `The library was not closed cleanly; reconciled: ${reconciled.imported} file(s) imported, ` +
          `${reconciled.markedMissing} marked missing, ${reconciled.setAside.length} set aside.\n`,
      );
    }
    try {
      return await fn(library);
    } finally {
      await library.close();
    }
  } catch (error) {
    if (error instanceof LibraryError && (error.code === 'INVALID_INPUT' || error.code === 'NOT_FOUND')) throw new UsageError(error.message);
    throw error;
  }
}

function parseDate(flag: string, value: string | undefined, endOfDay: boolean): number | undefined {
  if (value === undefined) return undefined;
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/u.test(value);
  const ms = Date.parse(dateOnly ? `${value}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}` : value);
  if (Number.isNaN(ms)) throw new UsageError(`--${flag} takes a date such as 2026-11-24, not "${value}".`);
  return ms;
}

function parseIds(values: readonly string[]): number[] {
  return values.flatMap((v) => v.split(',')).filter((v) => v !== '').map((v) => {
    const id = Number(v);
    if (!Number.isSafeInteger(id) || id <= 0) throw new UsageError(`"${v}" is not an image id.`);
    return id;
  });
}

async function findAlbum(library: Library, nameOrId: string | undefined): Promise<Album> {
  if (nameOrId === undefined || nameOrId.trim() === '') throw new UsageError('Name the album.');
  const byName = await findAlbumByName(library.db, nameOrId);
  if (byName !== undefined) return byName;
  const id = Number(nameOrId);
  if (Number.isSafeInteger(id) && id > 0) return getAlbum(library.db, id);
  throw new UsageError(`There is no album "${nameOrId}".`);
}

function imageLine(image: Image, library: Library): string {
  const date = new Date(image.createdAt).toISOString().slice(0, 16).replace('T', ' ');
  const prompt = image.prompt.replace(/\s+/gu, ' ');
  const details = [image.modelName, image.seed === null ? null : `seed ${image.seed}`, image.favourite ? '★' : null, image.rating > 0 ? `${image.rating}/5` : null]
    .filter((d) => d !== null)
    .join(', ');
  return `${String(image.id).padStart(7)}  ${date}  ${prompt.length > 80 ? `${prompt.slice(0, 79)}…` : prompt}${details === '' ? '' : `  (${details})`}\n         ${library.resolve(image.filePath)}`;
}

// ---- import ------------------------------------------------------------------------------------------------

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'Import a folder of images from other tools into the library',
  usage: [
    'Usage: studio import <folder> [--library <dir>] [--json]',
    '',
    'Copies every PNG, JPEG and WebP under <folder> (recursively) into the library, reading the prompt and settings',
    'written by AUTOMATIC1111, ComfyUI, InvokeAI, Fooocus and Studio. Duplicates are skipped; files that cannot be',
    'imported are listed with the reason. The folder itself is not changed.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parse(args, { ...LIBRARY_OPTION, json: { type: 'boolean' } });
    const [folder, ...extra] = positionals;
    if (folder === undefined || extra.length > 0) throw new UsageError('Give one folder to import.');
    const report = await withLibrary(values.library, io, (library) =>
      importFolder(library, path.resolve(io.cwd, folder), {
        onProgress: (p: ImportProgress) => {
          if (io.stderr.isTTY === true) io.stderr.write(`\r${p.processed}/${p.total} files: ${p.imported} imported, ${p.duplicates} duplicates, ${p.rejected} rejected`);
        },
      }),
    );
    if (io.stderr.isTTY === true) io.stderr.write('\n');
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    const lines = [`Imported ${report.imported}, skipped ${report.duplicates} duplicate(s), rejected ${report.rejected.length}.`];
    for (const r of report.rejected) lines.push(`  ${r.file}: ${r.reason} — ${r.message}`);
    io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};

// ---- search ------------------------------------------------------------------------------------------------

const SEARCH_OPTIONS = {
  ...LIBRARY_OPTION,
  favourite: { type: 'boolean' },
  model: { type: 'string', multiple: true },
  sampler: { type: 'string', multiple: true },
  since: { type: 'string' },
  until: { type: 'string' },
  sort: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  rating: { type: 'string' },
  album: { type: 'string' },
  tag: { type: 'string' },
  aspect: { type: 'string' },
  companion: { type: 'string' },
  published: { type: 'boolean' },
  unpublished: { type: 'boolean' },
  trash: { type: 'boolean' },
  count: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export const searchCommand: CliCommand = {
  name: 'search',
  summary: 'Find images in the library by words of their prompt and by filters',
  usage: [
    'Usage: studio search ["query"] [--favourite] [--model <name>]... [--sampler <name>]... [--since <date>] [--until <date>]',
    '                     [--rating <0-5>] [--album <name>] [--tag <name>] [--aspect square|portrait|landscape]',
    '                     [--companion <id>] [--published | --unpublished] [--trash]',
    `                     [--sort ${IMAGE_SORTS.join('|')}] [--limit <n>] [--cursor <c>] [--count] [--json] [--library <dir>]`,
    '',
    'Query: words (all must match), word* (prefix), "a phrase", -word (exclude); accents do not matter.',
    'Sort defaults to relevance with a query and newest without. --count prints only the number of matches.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parse(args, SEARCH_OPTIONS);
    const text = positionals.join(' ').trim();
    const sort = values.sort ?? (text === '' ? 'newest' : 'relevance');
    if (!(IMAGE_SORTS as readonly string[]).includes(sort)) throw new UsageError(`--sort is one of ${IMAGE_SORTS.join(', ')}.`);
    const limit = Number(values.limit ?? 20);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit is a number from 1 to 1000.');
    const rating = values.rating === undefined ? undefined : Number(values.rating);
    if (rating !== undefined && !(Number.isInteger(rating) && rating >= 0 && rating <= 5)) throw new UsageError('--rating is a number from 0 to 5.');
    const aspect = values.aspect;
    if (aspect !== undefined && aspect !== 'square' && aspect !== 'portrait' && aspect !== 'landscape') {
      throw new UsageError('--aspect is square, portrait or landscape.');
    }
    if (values.published === true && values.unpublished === true) throw new UsageError('Choose --published or --unpublished, not both.');
    const since = parseDate('since', values.since, false);
    const until = parseDate('until', values.until, true);

    return withLibrary(values.library, io, async (library) => {
      const album = values.album === undefined ? undefined : await findAlbum(library, values.album);
      const filters: ImageFilters = {
        ...(text === '' ? {} : { text }),
        ...(values.favourite === true ? { favourite: true } : {}),
        ...(values.model === undefined ? {} : { models: values.model }),
        ...(values.sampler === undefined ? {} : { samplers: values.sampler }),
        ...(since === undefined ? {} : { since }),
        ...(until === undefined ? {} : { until }),
        ...(rating === undefined ? {} : { minRating: rating }),
        ...(album === undefined ? {} : { albumId: album.id }),
        ...(values.tag === undefined ? {} : { tag: values.tag }),
        ...(aspect === undefined ? {} : { aspect }),
        ...(values.companion === undefined ? {} : { companionId: values.companion }),
        ...(values.published === true ? { published: true } : values.unpublished === true ? { published: false } : {}),
        ...(values.trash === true ? { trashed: true } : {}),
      };
      if (values.count === true) {
        io.stdout.write(`${await countImages(library.db, filters)}\n`);
        return 0;
      }
      const page = await listImages(library.db, {
        filters,
        sort: sort as ImageSort,
        limit,
        ...(values.cursor === undefined ? {} : { cursor: values.cursor }),
      });
      if (values.json === true) {
        io.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
        return 0;
      }
      const lines = page.items.map((image) => imageLine(image, library));
      if (lines.length === 0) lines.push('No images match.');
      if (page.nextCursor !== null) lines.push(`More: --cursor ${page.nextCursor}`);
      io.stdout.write(`${lines.join('\n')}\n`);
      return 0;
    });
  },
};

// ---- albums ------------------------------------------------------------------------------------------------

export const albumsCommand: CliCommand = {
  name: 'albums',
  summary: 'List, create, rename, delete, fill, show and export albums',
  usage: [
    'Usage: studio albums [list] [--json]',
    '       studio albums create <name> [--smart "query"]   (a smart album is a saved search)',
    '       studio albums rename <album> <new name>',
    '       studio albums delete <album>                    (the images stay in the library)',
    '       studio albums add <album> <id>[,<id>...]',
    '       studio albums remove <album> <id>[,<id>...]',
    '       studio albums cover <album> <id>',
    '       studio albums show <album> [--limit <n>] [--json]',
    '       studio albums export <album> <folder | file.zip>',
    'Every form takes [--library <dir>]. <album> is a name or an id.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parse(args, { ...LIBRARY_OPTION, json: { type: 'boolean' }, smart: { type: 'string' }, limit: { type: 'string' } });
    const [action = 'list', first, ...rest] = positionals;
    return withLibrary(values.library, io, async (library) => {
      const say = (line: string) => io.stdout.write(`${line}\n`);
      switch (action) {
        case 'list': {
          const albums = await listAlbums(library.db);
          if (values.json === true) say(JSON.stringify(albums, null, 2));
          else if (albums.length === 0) say('No albums yet: studio albums create <name>.');
          else for (const a of albums) say(`${String(a.id).padStart(5)}  ${a.name}  (${a.smartFilters === null ? `${a.imageCount ?? 0} images` : 'smart'})`);
          return 0;
        }
        case 'create': {
          if (first === undefined || rest.length > 0) throw new UsageError('Give the album a name (quote it if it has spaces).');
          const album = await createAlbum(library.db, { name: first, ...(values.smart === undefined ? {} : { smartFilters: { text: values.smart } }) });
          say(`Created album ${album.id}: ${album.name}`);
          return 0;
        }
        case 'rename': {
          const album = await findAlbum(library, first);
          const name = rest.join(' ');
          if (name.trim() === '') throw new UsageError('Give the new name.');
          await renameAlbum(library.db, album.id, name);
          say(`Renamed album ${album.id} to ${name.trim()}`);
          return 0;
        }
        case 'delete': {
          const album = await findAlbum(library, first);
          await deleteAlbum(library.db, album.id);
          say(`Deleted album ${album.name}; its images stay in the library.`);
          return 0;
        }
        case 'add':
        case 'remove': {
          const album = await findAlbum(library, first);
          const ids = parseIds(rest);
          if (ids.length === 0) throw new UsageError('Give the ids of the images.');
          const changed = action === 'add' ? await addToAlbum(library.db, album.id, { ids }) : await removeFromAlbum(library.db, album.id, { ids });
          say(`${action === 'add' ? 'Added' : 'Removed'} ${changed} image(s) ${action === 'add' ? 'to' : 'from'} ${album.name}.`);
          return 0;
        }
        case 'cover': {
          const album = await findAlbum(library, first);
          const [id] = parseIds(rest);
          if (id === undefined) throw new UsageError('Give the id of the cover image.');
          await setAlbumCover(library.db, album.id, id);
          say(`Image ${id} is now the cover of ${album.name}.`);
          return 0;
        }
        case 'show': {
          const album = await findAlbum(library, first);
          const limit = Number(values.limit ?? 50);
          if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit is a number from 1 to 1000.');
          const page = await listAlbumImages(library.db, album.id, { limit });
          if (values.json === true) say(JSON.stringify({ album, ...page }, null, 2));
          else say([`${album.name}:`, ...page.items.map((image) => imageLine(image, library))].join('\n'));
          return 0;
        }
        case 'export': {
          const album = await findAlbum(library, first);
          const [target] = rest;
          if (target === undefined) throw new UsageError('Give a folder or a .zip file to export to.');
          const resolved = path.resolve(io.cwd, target);
          const report = await exportImages(library, { albumId: album.id }, resolved.toLowerCase().endsWith('.zip') ? { zip: resolved } : { folder: resolved });
          say(`Exported ${report.exported} image(s) to ${resolved}.${report.missing.length > 0 ? ` ${report.missing.length} missing from the library were left out.` : ''}`);
          return 0;
        }
        default:
          throw new UsageError(`Unknown albums action "${action}": list, create, rename, delete, add, remove, cover, show or export.`);
      }
    });
  },
};

// ---- trash -------------------------------------------------------------------------------------------------

export const trashCommand: CliCommand = {
  name: 'trash',
  summary: 'Move images to the trash, restore them, or delete them for good',
  usage: [
    'Usage: studio trash [list] [--json] [--library <dir>]',
    '       studio trash add <id>...         move images to the trash',
    '       studio trash restore [<id>...]   bring them back (all of the trash without ids)',
    '       studio trash empty [<id>...] --yes',
    '                                        delete trashed images and their files for good (all without ids);',
    '                                        images with publishing history stay',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parse(args, { ...LIBRARY_OPTION, json: { type: 'boolean' }, yes: { type: 'boolean' } });
    const [action = 'list', ...rest] = positionals;
    return withLibrary(values.library, io, async (library) => {
      const ids = parseIds(rest);
      const selection = ids.length === 0 ? undefined : { ids };
      switch (action) {
        case 'list': {
          if (rest.length > 0) throw new UsageError('`trash list` takes no ids.');
          const page = await listImages(library.db, { filters: { trashed: true }, sort: 'newest', limit: 100 });
          const count = await countImages(library.db, { trashed: true });
          if (values.json === true) io.stdout.write(`${JSON.stringify({ count, items: page.items }, null, 2)}\n`);
          else io.stdout.write([`${count} image(s) in the trash${count > page.items.length ? ` (the newest ${page.items.length} below)` : ''}.`, ...page.items.map((i) => imageLine(i, library))].join('\n') + '\n');
          return 0;
        }
        case 'add': {
          if (selection === undefined) throw new UsageError('Name the images to move to the trash by id.');
          io.stdout.write(`Moved ${await trashImages(library.db, selection)} image(s) to the trash.\n`);
          return 0;
        }
        case 'restore': {
          io.stdout.write(`Restored ${await restoreImages(library.db, selection ?? { filters: {} })} image(s).\n`);
          return 0;
        }
        case 'empty': {
          if (values.yes !== true) throw new UsageError('Deleting for good cannot be undone: say --yes.');
          const { deleted, kept } = await emptyTrash(library, selection);
          io.stdout.write(`Deleted ${deleted} image(s) for good${kept > 0 ? `; ${kept} with publishing history stay in the trash` : ''}.\n`);
          return 0;
        }
        default:
          throw new UsageError('Say list, add, restore or empty.');
      }
    });
  },
};

// ---- library -----------------------------------------------------------------------------------------------

export const libraryCommand: CliCommand = {
  name: 'library',
  summary: 'Where the library is, and how to check, reconcile or rebuild it',
  usage: [
    'Usage: studio library where | check | reconcile | rebuild [--library <dir>]',
    '',
    '  where      print the library folder',
    '  check      run SQLite integrity_check on the database',
    '  reconcile  make the folder and the database agree (files without rows, rows without files)',
    '  rebuild    set a damaged database aside and rebuild it from the image files (albums, tags and',
    '             ratings are lost; prompts and settings come back from the files)',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parse(args, LIBRARY_OPTION);
    const [action, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError('One action at a time.');
    const dir = libraryDir(values.library, io);
    switch (action) {
      case 'where':
        io.stdout.write(`${dir}\n`);
        return 0;
      case 'check':
        return withLibrary(values.library, io, async (library) => {
          const problems = integrityProblems(library.sqlite);
          io.stdout.write(problems.length === 0 ? `ok (${await countImages(library.db)} images)\n` : `${problems.join('\n')}\n`);
          return problems.length === 0 ? 0 : 1;
        });
      case 'reconcile':
        return withLibrary(values.library, io, async (library) => {
          const report = await reconcileLibrary(library);
          io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          return 0;
        });
      case 'rebuild': {
        const report = await rebuildLibrary(dir);
        io.stdout.write(`The damaged database was moved to ${report.setAsideDatabase}.\nRebuilt from the files: ${report.reconciled.imported} image(s).\n`);
        return 0;
      }
      default:
        throw new UsageError('Say where, check, reconcile or rebuild.');
    }
  },
};

export const LIBRARY_COMMANDS: readonly CliCommand[] = [importCommand, searchCommand, albumsCommand, trashCommand, libraryCommand];
