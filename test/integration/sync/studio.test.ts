/**
 * The platform calls and events through the Studio and the typed client, as the renderer will use them: sign in,
 * a companion's traits in a generated image's prompt and the image linked to it, quote, publish with progress
 * events, the community gallery, likes, download, unpublish — and platform errors as data.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStudioClient, type EventName, type EventPayload, type StudioClient, type StudioEvent } from '../../../electron/contract';
import { EMBEDDED_MODEL_ID } from '../../../electron/core/models';
import { JsonSettingsFile } from '../../../electron/core/settings';
import { Studio } from '../../../electron/core/studio';
import { FileSecretStore } from '../../../electron/sync/index';
import type { RunningPlatform } from '../../platform/server';
import { startPlatform } from '../platform/client';

let platform: RunningPlatform;
let stopPlatform: () => Promise<void>;
let dir: string;
let studio: Studio;
let api: StudioClient;
const events: StudioEvent[] = [];

beforeAll(async () => {
  ({ platform, stop: stopPlatform } = await startPlatform());
  dir = await mkdtemp(path.join(tmpdir(), 'studio-sync-core-'));
  studio = await Studio.open({
    libraryDir: path.join(dir, 'library'),
    settings: new JsonSettingsFile(path.join(dir, 'settings.json')),
    version: 'test',
    env: { STUDIO_MODELS: path.join(dir, 'models') },
    platform: { url: platform.url, secrets: new FileSecretStore(path.join(dir, 'session.json')), publisher: { backoffBaseMs: 10, backoffCapMs: 50 } },
  });
  studio.subscribe((e) => events.push(e));
  api = createStudioClient(
    { call: (name, input) => studio.dispatch(name, input), subscribe: (l) => studio.subscribe((e) => l(e.name, e.payload)) },
    { fileUrl: (p) => p },
  );
}, 120_000);
afterAll(async () => {
  await studio.close();
  await stopPlatform();
  await rm(dir, { recursive: true, force: true });
});

function next<K extends EventName>(name: K, test: (payload: EventPayload<K>) => boolean): Promise<EventPayload<K>> {
  return new Promise((resolve) => {
    const stop = studio.subscribe((event) => {
      if (event.name === name && test(event.payload as EventPayload<K>)) {
        stop();
        resolve(event.payload as EventPayload<K>);
      }
    });
  });
}

async function value<T>(result: Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }>): Promise<T> {
  const settled = await result;
  if (!settled.ok) throw new Error(`${settled.error.code}: ${settled.error.message}`);
  return settled.value;
}

it('signs in and out, with errors as data', async () => {
  expect(await value(api.getAccount())).toMatchObject({ signedIn: false, secretStore: { protection: 'owner-only-file' } });
  expect(await api.signIn({ email: 'alice@example.com', password: 'wrong' })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  const account = await value(api.signIn({ email: 'alice@example.com', password: 'studio-dev' }));
  expect(account).toMatchObject({ signedIn: true, displayName: 'Alice', plan: { id: 'pro' }, balance: 500, remembered: true });
  expect(events.some((e) => e.name === 'account.changed' && e.payload.account.signedIn)).toBe(true);
  const { url } = await value(api.openBuyTokens());
  expect(url).toBe(`${platform.url}/wallet/buy`);
  // The page the browser opens exists on the platform.
  const page = await fetch(url);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await page.text()).toContain('Buy tokens');
});

it('generates with a companion, publishes with progress, and shows the image in the community gallery', { timeout: 120_000 }, async () => {
  const companions = await value(api.listCompanions());
  expect(companions.offline).toBe(false);
  const kenji = companions.items.find((c) => c.name === 'Kenji');
  expect(kenji).toBeDefined();
  expect(await api.setCompanionTemplate({ template: 'no placeholder' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  expect(await value(api.setCompanionTemplate({ template: '{prompt}, {companion.trait.hair}' }))).toEqual({
    template: '{prompt}, {companion.trait.hair}',
    defaultTemplate: '{prompt}, {companion.traits}',
  });

  const { jobIds } = await value(
    api.submitGeneration({ modelId: EMBEDDED_MODEL_ID, prompt: 'a red circle', sampler: 'euler', steps: 2, guidance: 7, seed: 7, width: 64, height: 64, companionId: kenji?.id ?? '' }),
  );
  const done = await next('job.done', (p) => p.job.id === jobIds[0]);
  const imageId = done.job.imageIds[0] ?? 0;
  expect(await value(api.getImage({ imageId }))).toMatchObject({ prompt: 'a red circle, short black hair', companionId: kenji?.id });

  const quote = await value(api.quotePublish({ imageIds: [imageId] }));
  expect(quote).toMatchObject({ total: 9, balance: 500, balanceAfter: 491, sufficient: true, items: [{ imageId, price: 9, moderation: 'allow' }] });
  const published = next('sync.progress', (p) => p.imageId === imageId && p.state === 'published');
  const charged = next('account.changed', (p) => p.account.balance === 491);
  const { items } = await value(api.publishImages({ imageIds: [imageId] }));
  expect(items).toEqual([expect.objectContaining({ imageId, state: 'pending', syncState: 'queued' })]);
  await published;
  // The charge moved the balance: the Account screen and the publish dialog hear of it without asking.
  await charged;
  const image = await value(api.getImage({ imageId }));
  expect(image).toMatchObject({ syncState: 'published', tokensSpent: 9 });
  const states = events.flatMap((e) => (e.name === 'sync.progress' && e.payload.imageId === imageId ? [e.payload.state] : []));
  expect(states).toEqual(expect.arrayContaining(['moderated', 'charged', 'uploaded', 'registered', 'published']));

  const page = await value(api.listCommunity({ sort: 'newest', companionId: kenji?.id ?? '' }));
  expect(page.items.map((i) => i.id)).toEqual([image.remoteId]);
  expect(await value(api.likeImage({ remoteImageId: image.remoteId ?? '' }))).toMatchObject({ likeCount: 1, likedByMe: true });
  expect(await value(api.unlikeImage({ remoteImageId: image.remoteId ?? '' }))).toMatchObject({ likeCount: 0, likedByMe: false });
  // The original is this very image: downloading it finds it in the library.
  expect(await value(api.downloadCommunityImage({ remoteImageId: image.remoteId ?? '' }))).toEqual({ imageId });

  expect(await value(api.unpublishImage({ imageId }))).toEqual({ imageId, syncState: 'local' });
  expect((await value(api.listCommunity({ sort: 'newest' }))).items).toEqual([]);
  expect(await api.unpublishImage({ imageId })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  expect(await api.publishImages({ imageIds: [999_999] })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  expect(await value(api.signOut())).toMatchObject({ signedIn: false });
  expect(await api.quotePublish({ imageIds: [imageId] })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
});
