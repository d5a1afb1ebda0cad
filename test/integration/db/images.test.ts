import { describe, expect, it } from 'vitest';
import { addTags, countImages, getImage, listImages, listTags, removeTags, restoreImages, setFavourite, setRating, trashImages, updateImageStats } from '../../../db/images';
import type { ImageQuery } from '../../../db/query';
import { insertRows, syntheticRow, withLibrary } from './helpers';

async function allPages(library: Parameters<Parameters<typeof withLibrary>[0]>[0], query: ImageQuery): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await listImages(library.db, { ...query, ...(cursor === undefined ? {} : { cursor }) });
    ids.push(...page.items.map((i) => i.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return ids;
}

describe('images: search', () => {
  it('finds by a word, a prefix, a phrase, across prompt, tags and albums, accents folded, best match first', () =>
    withLibrary(async (library) => {
      const [castle, fete, neon, negative] = await insertRows(library, [
        syntheticRow(1, { prompt: 'a castle on a hill at dusk' }),
        syntheticRow(2, { prompt: 'Une fête élégante à Paris' }),
        syntheticRow(3, { prompt: 'cyberpunk street, neon city lights' }),
        syntheticRow(4, { prompt: 'a meadow', negative_prompt: 'castle, city' }),
      ]);
      const search = async (text: string) => (await listImages(library.db, { filters: { text }, sort: 'relevance' })).items.map((i) => i.id);
      expect(await search('fete elegante')).toEqual([fete]);
      expect(await search('cyber*')).toEqual([neon]);
      expect(await search('"neon city"')).toEqual([neon]);
      expect(await search('"city neon"')).toEqual([]);
      // The prompt outweighs the negative prompt.
      expect(await search('castle')).toEqual([castle, negative]);
      expect(await search('castle -dusk')).toEqual([negative]);
      await addTags(library.db, { ids: [castle ?? 0] }, ['Vacances']);
      expect(await search('vacances')).toEqual([castle]);
      expect(await search('  ')).toEqual([]);
      expect(await countImages(library.db, { text: 'castle' })).toBe(2);
    }));

  it('combines search with filters and other sorts', () =>
    withLibrary(async (library) => {
      await insertRows(library, [
        syntheticRow(1, { prompt: 'red fox', model_name: 'a', likes: 5 }),
        syntheticRow(2, { prompt: 'red fox', model_name: 'b', likes: 9 }),
        syntheticRow(3, { prompt: 'red fox', model_name: 'a', likes: 1 }),
        syntheticRow(4, { prompt: 'blue fox', model_name: 'a', likes: 7 }),
      ]);
      const page = await listImages(library.db, { filters: { text: 'red', models: ['a'] }, sort: 'most_liked' });
      expect(page.items.map((i) => i.seed)).toEqual([1, 3]);
    }));
});

describe('images: filters, sorts and keyset pages', () => {
  it('filters by every field the gallery offers', () =>
    withLibrary(async (library) => {
      const day = 86_400_000;
      await insertRows(library, [
        syntheticRow(1, { created_at: 10 * day, model_name: 'a', sampler: 'euler', width: 512, height: 768, companion_id: 'c1' }),
        syntheticRow(2, { created_at: 20 * day, model_name: 'b', sampler: 'ddim', width: 768, height: 512, rating: 4, sync_state: 'published', remote_id: 'r2' }),
        syntheticRow(3, { created_at: 30 * day, model_name: 'a', sampler: 'euler', width: 512, height: 512, rating: 2 }),
      ]);
      const seeds = async (filters: ImageQuery['filters']) => (await listImages(library.db, { filters, sort: 'oldest' })).items.map((i) => i.seed);
      expect(await seeds({ since: 15 * day })).toEqual([2, 3]);
      expect(await seeds({ since: 15 * day, until: 25 * day })).toEqual([2]);
      expect(await seeds({ models: ['a'] })).toEqual([1, 3]);
      expect(await seeds({ models: [] })).toEqual([]);
      expect(await seeds({ samplers: ['ddim'] })).toEqual([2]);
      expect(await seeds({ aspect: 'portrait' })).toEqual([1]);
      expect(await seeds({ aspect: 'landscape' })).toEqual([2]);
      expect(await seeds({ aspect: 'square' })).toEqual([3]);
      expect(await seeds({ width: 512, height: 512 })).toEqual([3]);
      expect(await seeds({ minRating: 3 })).toEqual([2]);
      expect(await seeds({ companionId: 'c1' })).toEqual([1]);
      expect(await seeds({ published: true })).toEqual([2]);
      expect(await seeds({ published: false })).toEqual([1, 3]);
      await setFavourite(library.db, { filters: { models: ['b'] } }, true);
      expect(await seeds({ favourite: true })).toEqual([2]);
      expect(await seeds({ favourite: false })).toEqual([1, 3]);
    }));

  it('sorts by each order with a total tie-break and pages without gaps or repeats, even as images arrive', () =>
    withLibrary(async (library) => {
      const rows = Array.from({ length: 250 }, (_, n) =>
        syntheticRow(n, { created_at: 1000 + Math.floor(n / 3), likes: n % 7, tokens_spent: n % 5, rating: n % 6 }),
      );
      const ids = await insertRows(library, rows);
      for (const sort of ['newest', 'oldest', 'most_liked', 'most_tokens', 'rating'] as const) {
        const paged = await allPages(library, { sort, limit: 17 });
        const whole = (await listImages(library.db, { sort, limit: 1000 })).items.map((i) => i.id);
        expect(paged).toEqual(whole);
        expect(new Set(paged).size).toBe(ids.length);
      }
      const sorted = (await listImages(library.db, { sort: 'most_liked', limit: 1000 })).items;
      for (let i = 1; i < sorted.length; i++) expect((sorted[i - 1]?.likes ?? 0) >= (sorted[i]?.likes ?? 0)).toBe(true);

      // A page in the middle, then new images arrive at the top: the next page continues where it stopped.
      const first = await listImages(library.db, { sort: 'newest', limit: 50 });
      await insertRows(library, Array.from({ length: 20 }, (_, n) => syntheticRow(1000 + n, { created_at: 99_999 })));
      const second = await listImages(library.db, { sort: 'newest', limit: 50, cursor: first.nextCursor ?? '' });
      const before = (await listImages(library.db, { sort: 'newest', limit: 1000, filters: { until: 98_000 } })).items.map((i) => i.id);
      expect(second.items.map((i) => i.id)).toEqual(before.slice(50, 100));
    }));

  it('pages through relevance-sorted results', () =>
    withLibrary(async (library) => {
      await insertRows(library, Array.from({ length: 60 }, (_, n) => syntheticRow(n, { prompt: `fox ${'fox '.repeat(n % 4)} tail ${n}` })));
      const paged = await allPages(library, { filters: { text: 'fox' }, sort: 'relevance', limit: 7 });
      const whole = (await listImages(library.db, { filters: { text: 'fox' }, sort: 'relevance', limit: 1000 })).items.map((i) => i.id);
      expect(paged).toEqual(whole);
      expect(whole).toHaveLength(60);
    }));

  it('ranks the 1,000 most recent matches, and counts up to a cap', () =>
    withLibrary(async (library) => {
      const rows = Array.from({ length: 2500 }, (_, n) => syntheticRow(n, { prompt: n < 10 ? 'fox fox fox fox' : `a fox number ${n}` }));
      const ids = await insertRows(library, rows);
      const best = await listImages(library.db, { filters: { text: 'fox' }, sort: 'relevance', limit: 5 });
      // The ten best matches are the oldest ones, outside the window.
      const oldest = new Set(ids.slice(0, 1500));
      expect(best.items.every((i) => !oldest.has(i.id))).toBe(true);
      await insertRows(library, [syntheticRow(9999, { prompt: 'fox fox fox fox fox' })]);
      expect((await listImages(library.db, { filters: { text: 'fox' }, sort: 'relevance', limit: 1 })).items[0]?.seed).toBe(9999);
      expect(await countImages(library.db, { text: 'fox' })).toBe(2501);
      expect(await countImages(library.db, { text: 'fox' }, { upTo: 1000 })).toBe(1000);
      expect(await countImages(library.db, { text: 'number' }, { upTo: 5000 })).toBe(2490);
      await expect(countImages(library.db, {}, { upTo: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }));

  it('rejects invalid queries with INVALID_INPUT', () =>
    withLibrary(async (library) => {
      await expect(listImages(library.db, { limit: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await expect(listImages(library.db, { cursor: 'nope' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await expect(listImages(library.db, { sort: 'relevance' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await expect(listImages(library.db, { filters: { colour: 'red' } } as unknown as ImageQuery)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }));
});

describe('images: curating', () => {
  it('applies bulk edits to 5,000 selected images in one call each', () =>
    withLibrary(async (library) => {
      const ids = await insertRows(library, Array.from({ length: 6000 }, (_, n) => syntheticRow(n)));
      const selection = { ids: ids.slice(0, 5000) };
      expect(await setFavourite(library.db, selection, true)).toBe(5000);
      expect(await setFavourite(library.db, selection, true)).toBe(0);
      expect(await countImages(library.db, { favourite: true })).toBe(5000);
      expect(await setRating(library.db, selection, 5)).toBe(5000);
      expect(await addTags(library.db, selection, ['best', 'best', ' keep '])).toBe(10_000);
      expect(await listTags(library.db)).toEqual([
        { name: 'best', count: 5000 },
        { name: 'keep', count: 5000 },
      ]);
      expect(await removeTags(library.db, { filters: { favourite: true } }, ['keep'])).toBe(5000);
      expect(await trashImages(library.db, selection)).toBe(5000);
      expect(await countImages(library.db)).toBe(1000);
      expect(await countImages(library.db, { trashed: true })).toBe(5000);
      expect(await restoreImages(library.db, { filters: { minRating: 5 } })).toBe(5000);
      expect(await countImages(library.db)).toBe(6000);
      await expect(setRating(library.db, selection, 6)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }));

  it('gives an image with its tags and albums, and updates its counters', () =>
    withLibrary(async (library) => {
      const [id = 0] = await insertRows(library, [syntheticRow(1)]);
      await addTags(library.db, { ids: [id] }, ['sky']);
      await updateImageStats(library.db, id, { likes: 12, tokensSpent: 3, companionId: 'mia' });
      expect(await getImage(library.db, id)).toMatchObject({ id, tags: ['sky'], albums: [], likes: 12, tokensSpent: 3, companionId: 'mia', favourite: false });
      await expect(getImage(library.db, id + 1)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }));
});

describe('images: counters and time-sorted searches agree with a plain scan', () => {
  /** A library whose time order strays from insertion order, as imported history makes it. */
  async function mixedLibrary(library: Parameters<Parameters<typeof withLibrary>[0]>[0]): Promise<number[]> {
    let state = 7;
    const next = () => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state / 2_147_483_648;
    };
    const words = ['fox', 'castle', 'forêt', 'night', 'neon', 'rain', 'sea', 'lighthouse', 'dragon', 'garden'];
    const hour = 3_600_000;
    const rows = Array.from({ length: 3000 }, (_, n) =>
      syntheticRow(n, {
        prompt: Array.from({ length: 3 + Math.floor(next() * 5) }, () => words[Math.floor(next() * (next() < 0.5 ? 3 : words.length))]).join(' '),
        // Mostly in insertion order, one in six from anywhere in the past (some before 1970), a few sharing a time.
        created_at: next() < 1 / 6 ? Math.floor((next() - 0.1) * 500 * hour) : 500 * hour + n * (n % 10 === 0 ? 0 : hour / 3),
        model_name: next() < 0.1 ? null : `m${Math.floor(next() * 3)}`,
        sampler: next() < 0.5 ? 'euler' : 'ddim',
        width: next() < 0.5 ? 512 : 768,
        height: next() < 0.5 ? 512 : 768,
        favourite: next() < 0.2 ? 1 : 0,
        rating: Math.floor(next() * 6),
        companion_id: next() < 0.1 ? 'mia' : null,
        sync_state: next() < 0.1 ? 'published' : 'local',
        likes: Math.floor(next() * 4),
      }),
    );
    const ids = await insertRows(library, rows);
    await trashImages(library.db, { ids: ids.filter((_, i) => i % 23 === 0) });
    await setFavourite(library.db, { ids: ids.filter((_, i) => i % 5 === 0) }, true);
    await setRating(library.db, { filters: { models: ['m1'], aspect: 'square' } }, 2);
    await addTags(library.db, { ids: ids.slice(0, 40) }, ['sea']);
    return ids;
  }

  /** Every matching image through the general plan (sorted by likes, which no counter or walk serves). */
  async function scan(library: Parameters<Parameters<typeof withLibrary>[0]>[0], filters: ImageQuery['filters']) {
    const items = [];
    let cursor: string | undefined;
    do {
      const page = await listImages(library.db, { filters, sort: 'most_liked', limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return items;
  }

  it('counts every filter shape the counters serve, and the ones they do not, exactly', () =>
    withLibrary(async (library) => {
      await mixedLibrary(library);
      const hour = 3_600_000;
      const filters: NonNullable<ImageQuery['filters']>[] = [
        {},
        { trashed: true },
        { favourite: true },
        { favourite: false, minRating: 3 },
        { models: ['m0', 'm2'] },
        { models: [] },
        { samplers: ['ddim'], aspect: 'landscape' },
        { aspect: 'square', width: 512 },
        { height: 768, published: true },
        { published: false, companionId: 'mia' },
        { since: 520 * hour + 17, until: 900 * hour - 5 },
        { since: -30 * hour - 1 },
        { until: 40 * hour + 1 },
        { since: 600 * hour, until: 600 * hour + 5 },
        { text: 'fox' },
        { text: 'foret castle' },
        { text: '"castle fox"' },
        { text: 'cast*' },
        { text: 'sea' },
        { text: 'fox -night' },
        { text: 'nothing-like-this' },
        { text: 'fox', favourite: true },
        { text: 'fox', trashed: true },
        { since: 520 * hour, favourite: true },
      ];
      for (const f of filters) {
        const expected = (await scan(library, f)).length;
        expect(await countImages(library.db, f), JSON.stringify(f)).toBe(expected);
        expect(await countImages(library.db, f, { upTo: 50 }), JSON.stringify(f)).toBe(Math.min(50, expected));
      }
    }));

  it('pages favourites or published images mixed with other filters in every sort, through whichever index', () =>
    withLibrary(async (library) => {
      await mixedLibrary(library);
      const key = { most_liked: 'likes', most_tokens: 'tokensSpent', rating: 'rating', newest: 'createdAt', oldest: 'createdAt' } as const;
      const cases = [
        { filters: { favourite: true, models: ['m1'] }, rest: { models: ['m1'] }, keep: (i: { favourite: boolean }) => i.favourite },
        { filters: { published: true, samplers: ['ddim'] }, rest: { samplers: ['ddim'] }, keep: (i: { syncState: string }) => i.syncState === 'published' },
        {
          filters: { favourite: true, published: true, minRating: 1 },
          rest: { minRating: 1 },
          keep: (i: { favourite: boolean; syncState: string }) => i.favourite && i.syncState === 'published',
        },
      ];
      for (const { filters, rest, keep } of cases) {
        const all = (await scan(library, rest)).filter(keep);
        expect(all.length).toBeGreaterThan(0);
        for (const sort of ['most_liked', 'most_tokens', 'rating', 'newest', 'oldest'] as const) {
          const sign = sort === 'oldest' ? 1 : -1;
          const expected = [...all].sort((a, b) => sign * (a[key[sort]] - b[key[sort]]) || sign * (a.id - b.id)).map((i) => i.id);
          expect(await allPages(library, { filters, sort, limit: 29 }), `${JSON.stringify(filters)} ${sort}`).toEqual(expected);
        }
      }
    }));

  it('pages a search newest or oldest first in exact time order, stable while images arrive', () =>
    withLibrary(async (library) => {
      await mixedLibrary(library);
      for (const filters of [{ text: 'fox' }, { text: 'dragon garden' }, { text: 'fox', favourite: true }, { text: 'castle', models: ['m1'] }]) {
        const all = await scan(library, filters);
        for (const sort of ['newest', 'oldest'] as const) {
          const sign = sort === 'newest' ? -1 : 1;
          const expected = [...all].sort((a, b) => sign * (a.createdAt - b.createdAt) || sign * (a.id - b.id)).map((i) => i.id);
          expect(await allPages(library, { filters, sort, limit: 37 }), `${JSON.stringify(filters)} ${sort}`).toEqual(expected);
        }
      }
      const first = await listImages(library.db, { filters: { text: 'fox' }, sort: 'newest', limit: 30 });
      const before = (await scan(library, { text: 'fox' })).sort((a, b) => b.createdAt - a.createdAt || b.id - a.id).map((i) => i.id);
      await insertRows(library, Array.from({ length: 50 }, (_, n) => syntheticRow(10_000 + n, { prompt: 'fox', created_at: 2_000_000_000_000 })));
      const second = await listImages(library.db, { filters: { text: 'fox' }, sort: 'newest', limit: 30, cursor: first.nextCursor ?? '' });
      expect(second.items.map((i) => i.id)).toEqual(before.slice(30, 60));
    }));
});
