/**
 * Publishing as a person does it: the real renderer in Debian's Chromium, over the web host, over a real
 * Studio with the embedded model, pointed at the reference platform (real HTTP, SQLite, JWTs, s3rver). Sign in
 * on the Account screen; generate an image with a companion whose traits join the prompt by the template shown;
 * publish it from the viewer through the publish dialog; find it in the Community tab, like it, and download
 * its original back. Each step checks the Studio's library and the platform's own records too, and fails on
 * anything the page reports as wrong. Screenshots of the Account screen, the companion picker, the publish
 * dialog and the Community tab land in test-artifacts/screenshots/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CallName, CallOutput } from '../../electron/contract';
import { start, type RunningPlatform } from '../platform/server';
import { devPassword, devSeed } from '../platform/seed';
import { PageProblems, launchChromium, screenshot } from './support/chromium';
import { builtRenderer } from './support/renderer';
import { startStudio, type StudioUnderTest } from './support/studio';

const EMAIL = 'alice@example.com';
const PROMPT = 'a large red circle on a blue background';
const COMPANION = devSeed.companions[0];
const SLOW = { timeout: 90_000, interval: 100 } as const;
const QUICK = { timeout: 15_000, interval: 50 } as const;

let platform: RunningPlatform;
let app: StudioUnderTest;
let browser: Browser;
let page: Page;
let problems: PageProblems;
let imageId = 0;
let remoteId = '';

/** A call straight to the Studio: what it holds, whatever the page shows. */
async function studio<K extends CallName>(name: K, input?: unknown): Promise<CallOutput<K>> {
  const result = await app.studio.dispatch(name, input);
  if (!result.ok) throw new Error(`${name} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as CallOutput<K>;
}

const byTestId = (id: string) => page.getByTestId(id);

beforeAll(async () => {
  if (COMPANION === undefined) throw new Error('the platform seed has no companion');
  platform = await start();
  app = await startStudio({ rendererDir: await builtRenderer(), platformUrl: platform.url });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  page = await context.newPage();
  problems = new PageProblems(page);
  await page.goto(app.url);
  await byTestId('app').waitFor();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await platform?.stop();
});

afterEach(() => {
  expect(problems.take()).toEqual([]);
  expect(app.takeErrors()).toEqual([]);
  expect(platform.admin.contractViolations()).toEqual([]);
});

describe('publishing to the platform in Chromium', { timeout: 120_000 }, () => {
  it('signs in on the Account screen and shows the plan and balance', async () => {
    await byTestId('nav-account').click();
    await byTestId('sign-in-form').waitFor();
    // Web mode keeps the session in a file only the user can read: no warning, nothing to ask.
    expect(await byTestId('account-secret-warning').count()).toBe(0);
    await byTestId('sign-in-email').fill(EMAIL);
    await byTestId('sign-in-password').fill('not the password');
    await byTestId('sign-in-submit').click();
    await expect.poll(() => byTestId('sign-in-error').textContent(), QUICK).toBe('The email or the password is wrong.');

    await byTestId('sign-in-password').fill(devPassword);
    await byTestId('sign-in-submit').click();
    await byTestId('account-signed-in').waitFor();
    const balance = platform.admin.balance(EMAIL);
    expect(await byTestId('account-email').textContent()).toBe(EMAIL);
    expect(await byTestId('account-plan').textContent()).toBe('Pro · standard moderation');
    expect(await byTestId('account-balance').getAttribute('data-balance')).toBe(String(balance));
    const buy = byTestId('buy-tokens');
    expect(await buy.getAttribute('target')).toBe('_blank');
    expect(await buy.getAttribute('href')).toBe(new URL('/wallet/buy', platform.url).toString());
    expect(await studio('getAccount')).toMatchObject({ signedIn: true, email: EMAIL, remembered: true, secretStore: { protection: 'owner-only-file' } });
    await screenshot(page, 'account');
  });

  it('generates with a companion: the template and the resulting prompt are shown, and the image is linked to it', async () => {
    if (COMPANION === undefined) throw new Error('unreachable');
    await byTestId('nav-generate').click();
    await byTestId('prompt-editor').fill(PROMPT);
    await byTestId('steps-input').fill('4');
    await byTestId('steps-input').blur();
    const select = byTestId('companion-select');
    await expect.poll(() => select.locator('option').allTextContents(), QUICK).toEqual(['None', ...devSeed.companions.map((c) => c.name)]);
    await select.selectOption(COMPANION.id);
    const { template } = await studio('getCompanionTemplate');
    expect(await byTestId('companion-template').inputValue()).toBe(template);
    const shown = await byTestId('companion-prompt-preview').textContent();
    expect(shown).toBe(`${PROMPT}, ${COMPANION.traits.map((t) => t.value).join(', ')}`);
    await screenshot(page, 'generate-companion');

    await byTestId('generate-button').click();
    await expect.poll(async () => (await studio('listImages', {})).items.length, SLOW).toBe(1);
    const [image] = (await studio('listImages', {})).items;
    // What the page showed is what the job got.
    expect(image).toMatchObject({ prompt: shown, companionId: COMPANION.id, syncState: 'local' });
    imageId = image?.id ?? 0;
  });

  it('publishes the image from the viewer: price, balance after and verdict, then its progress to published', async () => {
    await byTestId('nav-gallery').click();
    const tile = page.locator(`[data-testid="gallery-tile"][data-image-id="${imageId}"]`);
    await expect.poll(() => tile.getByTestId('sync-badge').getAttribute('data-sync-state'), QUICK).toBe('local');
    await tile.getByTestId('tile-open').click();
    await byTestId('viewer').waitFor();
    await byTestId('publish-button').click();

    const dialog = byTestId('publish-dialog');
    await byTestId('publish-quote').waitFor();
    const quote = await studio('quotePublish', { imageIds: [imageId] });
    expect(quote.items.map((i) => i.moderation)).toEqual(['allow']);
    expect(await byTestId('publish-price').textContent()).toBe(`${quote.total} tokens`);
    expect(await byTestId('publish-balance-after').textContent()).toBe(`${quote.balanceAfter} tokens`);
    expect(await byTestId('publish-verdict').textContent()).toBe('Prompt accepted');
    expect(await byTestId('publish-companion').inputValue()).toBe(COMPANION?.id);
    await screenshot(page, 'publish-dialog');

    const before = platform.admin.balance(EMAIL);
    await byTestId('publish-confirm').click();
    const row = dialog.locator(`[data-testid="publish-progress-item"][data-image-id="${imageId}"]`);
    await expect.poll(() => row.getAttribute('data-sync-state'), SLOW).toBe('published');
    await screenshot(page, 'publish-progress');
    await byTestId('publish-close').click();
    await expect.poll(() => byTestId('viewer').getByTestId('sync-badge').getAttribute('data-sync-state'), QUICK).toBe('published');
    await byTestId('unpublish-button').waitFor();

    const published = await studio('getImage', { imageId });
    expect(published.syncState).toBe('published');
    expect(published.remoteId).not.toBeNull();
    remoteId = published.remoteId ?? '';
    // Charged once, by the quoted price; the account on the page follows.
    expect(platform.admin.balance(EMAIL)).toBe(before - quote.total);
    await byTestId('viewer-close').click();
    await expect.poll(() => page.locator(`[data-testid="gallery-tile"][data-image-id="${imageId}"] [data-testid="sync-badge"]`).getAttribute('data-sync-state'), QUICK).toBe('published');
    await byTestId('nav-account').click();
    await expect.poll(() => byTestId('account-balance').getAttribute('data-balance'), QUICK).toBe(String(before - quote.total));
  });

  it('shows the image in the Community tab and likes it', async () => {
    await byTestId('nav-community').click();
    const item = page.locator(`[data-testid="community-item"][data-remote-id="${remoteId}"]`);
    await item.waitFor({ timeout: QUICK.timeout });
    // The thumbnail comes from the platform's storage, not from the library.
    const thumbnailWidth = async () => Number(await page.evaluate(`document.querySelector('[data-remote-id="${remoteId}"] img')?.naturalWidth ?? 0`));
    await expect.poll(thumbnailWidth, QUICK).toBeGreaterThan(0);
    const like = item.getByTestId('community-like');
    expect(await like.getAttribute('aria-pressed')).toBe('false');
    expect(await item.getByTestId('community-like-count').textContent()).toBe('0');

    await like.click();
    await expect.poll(() => item.getByTestId('community-like-count').textContent(), QUICK).toBe('1');
    expect(await like.getAttribute('aria-pressed')).toBe('true');
    const page1 = await studio('listCommunity', {});
    expect(page1.items.find((i) => i.id === remoteId)).toMatchObject({ likeCount: 1, likedByMe: true });
    await screenshot(page, 'community');

    await byTestId('community-sort-most_liked').click();
    await expect.poll(async () => page.getByTestId('community-item').first().getAttribute('data-remote-id'), QUICK).toBe(remoteId);
  });

  it('downloads the original back: the library knows those bytes and keeps one image', async () => {
    const item = page.locator(`[data-testid="community-item"][data-remote-id="${remoteId}"]`);
    await item.getByTestId('community-download').click();
    await page.getByTestId('notice-info').filter({ hasText: 'Downloaded into the library.' }).waitFor({ timeout: QUICK.timeout });
    const images = (await studio('listImages', {})).items;
    expect(images.map((i) => [i.id, i.syncState])).toEqual([[imageId, 'published']]);
  });
});
