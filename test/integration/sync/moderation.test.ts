/**
 * Moderation by plan level: free (strict), pro (standard) and studio (relaxed) users publish the same prompts;
 * what a level refuses fails before any charge, and the local lists refuse without asking the platform.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getImage, listPublishes } from '../../../db/index';
import { addImages, settled, startHarness, type Harness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ sync: { publisher: { backoffBaseMs: 10, backoffCapMs: 50 } } });
  h.sync.start();
});
afterAll(() => h.stop());

const PROMPTS = {
  calm: 'a lighthouse at dawn, watercolor',
  weapon: 'a knight holding a sword at dawn',
  violent: 'blood on the snow, dramatic light',
  sexual: 'a nude figure study',
} as const;

/** Publishes one image per prompt as `email`; returns each prompt's final outbox state and error. */
async function publishAs(email: string, first: number): Promise<Record<keyof typeof PROMPTS, { state: string; error: string | null; syncState: string }>> {
  await h.sync.signIn(email, 'studio-dev');
  const names = Object.keys(PROMPTS) as (keyof typeof PROMPTS)[];
  const ids = await addImages(h.library, names.length, { first, prompt: (n) => PROMPTS[names[n - first] ?? 'calm'] });
  const balance = h.platform.admin.balance(email);
  await h.sync.publish(ids);
  await settled(h.library);
  const result = {} as Record<keyof typeof PROMPTS, { state: string; error: string | null; syncState: string }>;
  let charged = 0;
  for (const [index, name] of names.entries()) {
    const imageId = ids[index] ?? 0;
    const [row] = await listPublishes(h.library.db, imageId);
    charged += row?.state === 'published' ? row.tokensCharged : 0;
    result[name] = { state: row?.state ?? 'none', error: row?.lastError ?? null, syncState: (await getImage(h.library.db, imageId)).syncState };
  }
  // Only what was published was paid for: refused prompts failed before the charge.
  expect(h.platform.admin.balance(email)).toBe(balance - charged);
  await h.sync.signOut();
  return result;
}

describe('moderation by plan', () => {
  it('free (strict): blocks violence and sex, holds weapons for review; only the calm prompt is published', async () => {
    const result = await publishAs('bob@example.com', 0);
    expect(result.calm).toMatchObject({ state: 'published', syncState: 'published' });
    expect(result.weapon).toMatchObject({ state: 'failed', syncState: 'failed', error: expect.stringMatching(/^MODERATION_REVIEW.*sword/) });
    expect(result.violent).toMatchObject({ state: 'failed', error: expect.stringMatching(/^MODERATION_BLOCKED.*blood/) });
    expect(result.sexual).toMatchObject({ state: 'failed', error: expect.stringMatching(/^MODERATION_BLOCKED.*nude/) });
  });

  it('pro (standard): allows weapons, holds violence for review, blocks sex', async () => {
    const result = await publishAs('alice@example.com', 100);
    expect(result.calm.state).toBe('published');
    expect(result.weapon.state).toBe('published');
    expect(result.violent).toMatchObject({ state: 'failed', error: expect.stringMatching(/^MODERATION_REVIEW/) });
    expect(result.sexual).toMatchObject({ state: 'failed', error: expect.stringMatching(/^MODERATION_BLOCKED/) });
  });

  it('studio (relaxed): allows violence and weapons, holds sex for review', async () => {
    const result = await publishAs('carol@example.com', 200);
    expect([result.calm.state, result.weapon.state, result.violent.state]).toEqual(['published', 'published', 'published']);
    expect(result.sexual).toMatchObject({ state: 'failed', error: expect.stringMatching(/^MODERATION_REVIEW/) });
  });

  it('refuses locally listed words without asking the platform, and quotes the verdicts', async () => {
    await h.sync.signIn('bob@example.com', 'studio-dev');
    const [blocked = 0, calm = 0] = await addImages(h.library, 2, { first: 300, prompt: (n) => (n === 300 ? PROMPTS.violent : PROMPTS.calm) });
    const quote = await h.sync.quotePublish([blocked, calm]);
    expect(quote.items.map((i) => [i.moderation, i.terms])).toEqual([
      ['block', ['blood']],
      ['allow', []],
    ]);
    // The platform's moderation is down: the local lists still refuse at once, with no retry.
    h.platform.admin.setFaults({ seed: 1, rules: [{ route: 'checkPrompt', kind: 'error' }] });
    await h.sync.publish([blocked]);
    await settled(h.library);
    const [row] = await listPublishes(h.library.db, blocked);
    expect(row).toMatchObject({ state: 'failed', attempts: 1, lastError: expect.stringMatching(/^MODERATION_BLOCKED.*locally/) });
    expect(h.platform.admin.faultLog()).toEqual([]);
    h.platform.admin.clearFaults();
    await h.sync.signOut();
  });
});
