import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPlatform } from '../../platform/server';
import { call, expectProblem, publishImage, signIn, startPlatform } from './client';

let platform: RunningPlatform;
let stop: () => Promise<void>;
let alice: string;
let bob: string;
let carol: string;

interface Page {
  items: { id: string; likeCount: number; likedByMe: boolean; companionId: string | null; model: string; thumbnailUrl: string; author: { displayName: string } }[];
  nextCursor: string | null;
}

const page = (query: string, token?: string) => call<Page>(platform, 'GET', `/v1/gallery?${query}`, token === undefined ? {} : { token });

async function everyPage(query: string, between: () => Promise<void> = async () => {}): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const reply: Awaited<ReturnType<typeof page>> = await page(cursor === null ? query : `${query}&cursor=${encodeURIComponent(cursor)}`);
    expect(reply.status).toBe(200);
    ids.push(...reply.body.items.map((item) => item.id));
    cursor = reply.body.nextCursor;
    await between();
  } while (cursor !== null);
  return ids;
}

const published: string[] = [];

beforeAll(async () => {
  ({ platform, stop } = await startPlatform());
  [alice, bob, carol] = await Promise.all(['alice@example.com', 'bob@example.com', 'carol@example.com'].map((email) => signIn(platform, email)));
  platform.admin.grantTokens('bob@example.com', 500);
  // Published one after another, so the order of `published` is the publishing order.
  for (let index = 0; index < 10; index++) {
    const token = [alice, bob, carol][index % 3] ?? alice;
    published.push(
      await publishImage(platform, token, {
        title: `image ${index}`,
        model: index % 2 === 0 ? 'sd15' : 'sdxl',
        ...(index % 4 === 0 ? { companionId: 'cmp_aurora01' } : {}),
      }),
    );
  }
});
afterAll(() => stop());

describe('gallery', () => {
  it('pages newest first without duplicates or gaps while new images are published between pages', async () => {
    const before = [...published].reverse();
    const added: string[] = [];
    const seen = await everyPage('sort=newest&limit=3', async () => {
      added.push(await publishImage(platform, carol, { title: 'late' }));
    });
    expect(seen).toEqual(before);
    // A fresh first page shows the newcomers first.
    const fresh = await page('sort=newest&limit=3');
    expect(fresh.body.items.map((item) => item.id)).toEqual(added.slice(-3).reverse());
  });

  it('sorts by likes, ties broken by recency, and keeps liking idempotent', async () => {
    const [first, second] = published;
    if (first === undefined || second === undefined) throw new Error('seed missing');
    for (const token of [alice, bob, carol]) {
      const liked = await call<{ likeCount: number; likedByMe: boolean }>(platform, 'PUT', `/v1/images/${second}/like`, { token });
      expect(liked.body.likedByMe).toBe(true);
    }
    for (let repeat = 0; repeat < 3; repeat++) await call(platform, 'PUT', `/v1/images/${first}/like`, { token: bob });
    expect((await call(platform, 'GET', `/v1/images/${first}/like`)).body).toEqual({ imageId: first, likeCount: 1, likedByMe: false });
    expect((await call(platform, 'GET', `/v1/images/${second}/like`, { token: carol })).body).toEqual({ imageId: second, likeCount: 3, likedByMe: true });

    const top = await page('sort=most_liked&limit=2', bob);
    expect(top.body.items.map((item) => [item.id, item.likeCount, item.likedByMe])).toEqual([
      [second, 3, true],
      [first, 1, true],
    ]);
    const all = await everyPage('sort=most_liked&limit=4');
    expect(new Set(all).size).toBe(all.length);
    expect(all.slice(0, 2)).toEqual([second, first]);

    // Unliking twice takes one like away.
    await call(platform, 'DELETE', `/v1/images/${second}/like`, { token: carol });
    const unliked = await call(platform, 'DELETE', `/v1/images/${second}/like`, { token: carol });
    expect(unliked.body).toEqual({ imageId: second, likeCount: 2, likedByMe: false });
  });

  it('filters by companion and by model', async () => {
    const aurora = await everyPage('companionId=cmp_aurora01&limit=2');
    expect(aurora).toEqual([published[8], published[4], published[0]]);
    const sdxl = await everyPage('model=sdxl&sort=newest&limit=50');
    expect(sdxl).toEqual([published[9], published[7], published[5], published[3], published[1]]);
    const item = (await page('limit=1&companionId=cmp_aurora01')).body.items[0];
    expect(item).toMatchObject({ companionId: 'cmp_aurora01', model: 'sd15', author: { displayName: 'Carol' } });
    expect((await fetch(item?.thumbnailUrl ?? '')).status).toBe(200);
  });

  it('refuses a cursor that was tampered with or belongs to another sort or filter', async () => {
    const cursor = (await page('sort=newest&limit=1')).body.nextCursor ?? '';
    expectProblem(await page(`sort=most_liked&limit=1&cursor=${encodeURIComponent(cursor)}`), 400, 'VALIDATION_FAILED');
    expectProblem(await page(`sort=newest&model=sd15&limit=1&cursor=${encodeURIComponent(cursor)}`), 400, 'VALIDATION_FAILED');
    // Same signature, another payload.
    const forged = `${Buffer.from(JSON.stringify({ scope: 'x', after: [1] })).toString('base64url')}.${cursor.split('.')[1] ?? ''}`;
    const reply = await call(platform, 'GET', `/v1/gallery?sort=newest&limit=1&cursor=${encodeURIComponent(forged)}`);
    expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect(reply.body['errors']).toEqual([{ in: 'query', pointer: '/cursor', message: 'invalid cursor' }]);
  });

  it('hides unpublished images, and likes on them', async () => {
    const id = await publishImage(platform, alice, { title: 'brief' });
    await call(platform, 'POST', `/v1/images/${id}/unpublish`, { token: alice });
    expect(await everyPage('limit=100')).not.toContain(id);
    expectProblem(await call(platform, 'PUT', `/v1/images/${id}/like`, { token: bob }), 404, 'NOT_FOUND');
    expectProblem(await call(platform, 'GET', `/v1/images/${id}/like`), 404, 'NOT_FOUND');
  });
});
