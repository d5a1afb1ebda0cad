/** The community gallery as a second user sees it: pages, likes, and downloading an original into the library. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getImage, listImages, openLibrary, type Library } from '../../../db/index';
import { FileSecretStore, PlatformSync } from '../../../electron/sync/index';
import { addImages, settled, startHarness, type Harness } from './harness';

let h: Harness;
let dir: string;
let library: Library;
let viewer: PlatformSync;

beforeAll(async () => {
  h = await startHarness({ sync: { publisher: { backoffBaseMs: 10, backoffCapMs: 50 } } });
  await h.sync.signIn('carol@example.com', 'studio-dev');
  h.sync.start();
  dir = await mkdtemp(path.join(tmpdir(), 'studio-sync-viewer-'));
  ({ library } = await openLibrary(path.join(dir, 'library')));
  viewer = new PlatformSync({ library, baseUrl: h.platform.url, secrets: new FileSecretStore(path.join(dir, 'session.json')) });
});
afterAll(async () => {
  await viewer.close();
  await library.close();
  await rm(dir, { recursive: true, force: true });
  await h.stop();
});

it('pages the gallery newest first, likes and unlikes, and sorts by likes', async () => {
  const ids = await addImages(h.library, 5, { prompt: (n) => `a paper boat on a pond, study ${n}` });
  await h.sync.publish(ids);
  await settled(h.library);
  const remote = await Promise.all(ids.map(async (id) => (await getImage(h.library.db, id)).remoteId ?? ''));

  // Signed out, the gallery is public; nothing is liked by an anonymous viewer.
  const first = await viewer.listCommunity({ sort: 'newest', limit: 3 });
  expect(first.items).toHaveLength(3);
  expect(first.items.every((item) => !item.likedByMe && item.author.displayName === 'Carol')).toBe(true);
  const second = await viewer.listCommunity({ sort: 'newest', limit: 3, cursor: first.nextCursor ?? '' });
  const seen = [...first.items, ...second.items].map((item) => item.id);
  expect(new Set(seen)).toEqual(new Set(remote));
  expect(second.nextCursor).toBeNull();

  await viewer.signIn('alice@example.com', 'studio-dev');
  const target = remote[1] ?? '';
  expect(await viewer.like(target, true)).toEqual({ imageId: target, likeCount: 1, likedByMe: true });
  expect(await viewer.like(target, true)).toEqual({ imageId: target, likeCount: 1, likedByMe: true });
  const liked = await viewer.listCommunity({ sort: 'most_liked', limit: 1 });
  expect(liked.items[0]).toMatchObject({ id: target, likeCount: 1, likedByMe: true });
  expect(await viewer.like(target, false)).toEqual({ imageId: target, likeCount: 0, likedByMe: false });
});

it('downloads an original into the library with its generation metadata, once', async () => {
  const [imageId = 0] = await addImages(h.library, 1, { first: 50, prompt: () => 'a red kite over the dunes' });
  await h.sync.publish([imageId]);
  await settled(h.library);
  const original = await getImage(h.library.db, imageId);

  const downloaded = await viewer.download(original.remoteId ?? '');
  const copy = await getImage(library.db, downloaded);
  expect(copy).toMatchObject({
    contentHash: original.contentHash,
    fileSize: original.fileSize,
    prompt: 'a red kite over the dunes',
    negativePrompt: 'blurry',
    modelName: 'studio-shapes',
    sampler: 'euler-a',
    steps: 20,
    guidance: 7,
    seed: original.seed,
  });
  // Searchable by its prompt, like any image in the library.
  expect((await listImages(library.db, { filters: { text: 'kite' } })).items.map((i) => i.id)).toEqual([downloaded]);
  // The same original again is the same library image.
  expect(await viewer.download(original.remoteId ?? '')).toBe(downloaded);
});
