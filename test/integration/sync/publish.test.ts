import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getImage, listPublishes } from '../../../db/index';
import { createS3Client } from '../../platform/storage';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { addImages, settled, startHarness, type Harness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ sync: { publisher: { backoffBaseMs: 20, backoffCapMs: 200 } } });
  await h.sync.signIn('alice@example.com', 'studio-dev');
  h.sync.start();
});
afterAll(() => h.stop());

describe('publishing through the outbox', () => {
  it('moderates, charges, uploads, registers and publishes; the gallery shows it', async () => {
    const before = h.platform.admin.balance('alice@example.com');
    const [imageId = 0] = await addImages(h.library, 1);
    const quote = await h.sync.quotePublish([imageId]);
    expect(quote.items).toEqual([{ imageId, price: 9, moderation: 'allow', terms: [] }]);
    expect(quote.balanceAfter).toBe(before - 9);

    // The same image twice in one selection is one publish.
    const [queued, twice] = await h.sync.publish([imageId, imageId]);
    expect(queued).toMatchObject({ imageId, state: 'pending', syncState: 'queued' });
    expect(twice).toBeUndefined();
    await settled(h.library);

    const image = await getImage(h.library.db, imageId);
    expect(image.syncState).toBe('published');
    expect(image.tokensSpent).toBe(9);
    expect(image.remoteId).toMatch(/^img_/);
    expect(h.platform.admin.balance('alice@example.com')).toBe(before - 9);
    // The last step's report follows its commit (and the commit's fsync): the row can read published a moment first.
    await expect
      .poll(() => h.progress.filter((p) => p.imageId === imageId).map((p) => p.state))
      .toEqual(expect.arrayContaining(['moderated', 'charged', 'uploaded', 'registered', 'published']));
    expect(h.progress.some((p) => p.imageId === imageId && p.bytes !== null && p.bytes.sent === p.bytes.total)).toBe(true);

    const page = await h.sync.listCommunity({ sort: 'newest', limit: 10 });
    expect(page.items[0]).toMatchObject({ id: image.remoteId, model: 'studio-shapes', likeCount: 0, likedByMe: false });

    // Asking again never publishes (or charges) twice.
    const [again] = await h.sync.publish([imageId]);
    expect(again).toMatchObject({ outboxId: queued?.outboxId, syncState: 'published' });
    expect(await listPublishes(h.library.db, imageId)).toHaveLength(1);
    expect(h.platform.admin.balance('alice@example.com')).toBe(before - 9);
  });

  it('streams a file above the part size as a multipart upload to S3', async () => {
    // Random bytes do not compress: about 6.3 MB of PNG, above lib-storage's 5 MiB part.
    const [imageId = 0] = await addImages(h.library, 1, { side: 1450, first: 10_000 });
    const image = await getImage(h.library.db, imageId);
    expect(image.fileSize).toBeGreaterThan(5 * 1024 * 1024);
    await h.sync.publish([imageId]);
    await settled(h.library);
    const published = await getImage(h.library.db, imageId);
    expect(published.syncState).toBe('published');
    const row = (await listPublishes(h.library.db, imageId))[0];
    const uploads = JSON.parse(row?.remoteUploadId ?? '{}') as { original: string };
    const s3 = createS3Client(h.platform.s3);
    try {
      const head = await s3.send(new HeadObjectCommand({ Bucket: h.platform.s3.bucket, Key: `users/${h.platform.admin.userId('alice@example.com')}/${uploads.original}/original` }));
      expect(head.ContentLength).toBe(image.fileSize);
    } finally {
      s3.destroy();
    }
    // A single PutObject reports its bytes once, at the end; parts report as each one lands.
    const sent = h.progress.filter((p) => p.imageId === imageId && p.bytes !== null).map((p) => p.bytes?.sent ?? 0);
    expect(sent.some((bytes) => bytes > 0 && bytes < image.fileSize)).toBe(true);
    expect(Math.max(...sent)).toBe(sent.at(-1));
  });

  it('unpublishes, and publishes again without a second charge', async () => {
    const [imageId = 0] = await addImages(h.library, 1, { first: 20_000 });
    await h.sync.publish([imageId]);
    await settled(h.library);
    const balance = h.platform.admin.balance('alice@example.com');
    await h.sync.unpublish(imageId);
    expect((await getImage(h.library.db, imageId)).syncState).toBe('local');
    const remoteId = (await getImage(h.library.db, imageId)).remoteId;
    expect((await h.sync.listCommunity({ sort: 'newest', limit: 50 })).items.map((i) => i.id)).not.toContain(remoteId);
    const [again] = await h.sync.publish([imageId]);
    expect(again?.syncState).toBe('published');
    expect((await h.sync.listCommunity({ sort: 'newest', limit: 50 })).items.map((i) => i.id)).toContain(remoteId);
    expect(h.platform.admin.balance('alice@example.com')).toBe(balance);
  });

  it('lists companions from the platform, and from the cache when the platform is down', async () => {
    const online = await h.sync.companions.list();
    expect(online).toMatchObject({ offline: false, items: [{ id: 'cmp_aurora01', name: 'Aurora' }, { name: 'Kenji' }, { name: 'Pip' }] });
    h.platform.admin.setFaults({ seed: 1, rules: [{ route: 'listCompanions', kind: 'error', status: 503 }] });
    try {
      const offline = await h.sync.companions.list();
      expect(offline).toEqual({ items: online.items, fetchedAt: online.fetchedAt, offline: true });
      expect(await h.sync.companions.promptFor('a lantern', 'cmp_pip00003')).toBe('a lantern, a copper clockwork fox with visible gears, glowing amber glass eyes');
    } finally {
      h.platform.admin.clearFaults();
    }
  });
});
