/**
 * The studio as a person uses it: the real renderer in Debian's Chromium, over the web host, over a real Studio
 * with the embedded model, on a fresh library. One story, in order — generate (watching progress and the live
 * preview), find the image in the gallery, favourite it, put it in a new album, search and filter, reload after
 * a restart of the studio and find it all still there, cancel a running job, add a bad model folder, speak the
 * browser's language — and check that what `bench:ui` measures in the page still works with this renderer.
 * Each step checks the library itself too (through the Studio's own calls), not only what the page shows, and
 * fails on any console error, uncaught exception or failed request the page did not expect. Screenshots of each
 * screen land in test-artifacts/screenshots/.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Result } from '../../electron/contract';
import { FIRST_PAGE_RESULT, FirstPage, GALLERY, ScrollRun, firstPageProbe, firstPageReady, scrollScript } from '../bench/ui/page';
import { PageProblems, launchChromium, screenshot } from './support/chromium';
import { builtRenderer } from './support/renderer';
import { startStudio, type StudioUnderTest } from './support/studio';

const CIRCLE = 'a large red circle on a blue background';
const TRIANGLE = 'a small green triangle on a white background';
/** Enough steps that progress and a preview are seen while the job runs, on a machine a few times faster too. */
const WATCHED_STEPS = 100;
/** The most the studio allows: the job is still running when it is cancelled. */
const LONG_STEPS = 150;
const SLOW = { timeout: 90_000, interval: 50 } as const;
const QUICK = { timeout: 15_000, interval: 50 } as const;

let app: StudioUnderTest;
let browser: Browser;
let page: Page;
let problems: PageProblems;
const ids = { circle: 0, triangle: 0, album: 0 };

/** The value of a call straight to the Studio (`app.client`): what the library holds, whatever the page shows. */
async function ok<T>(call: Promise<Result<T>>): Promise<T> {
  const result = await call;
  if (!result.ok) throw new Error(`the Studio answered ${result.error.code}: ${result.error.message}`);
  return result.value;
}

const byTestId = (id: string) => page.getByTestId(id);
const tiles = () => byTestId('gallery-tile');

/** The image ids the gallery shows, in order. */
async function shownImageIds(): Promise<number[]> {
  return (await tiles().evaluateAll((elements) => elements.map((e) => e.getAttribute('data-image-id')))).map(Number);
}

/** The decoded width of the first image matching `css` (0 until it has loaded). */
async function naturalWidth(css: string): Promise<number> {
  return z.number().parse(await page.evaluate(`document.querySelector(${JSON.stringify(css)})?.naturalWidth ?? 0`));
}

async function fill(locator: Locator, value: string): Promise<void> {
  await locator.fill(value);
  await locator.blur();
}

async function generate(prompt: string, steps: number): Promise<Locator> {
  await byTestId('nav-generate').click();
  const before = await ok(app.client.listQueue());
  await fill(byTestId('prompt-editor'), prompt);
  await fill(byTestId('steps-input'), String(steps));
  await byTestId('generate-button').click();
  // The new job: the one the queue did not have before.
  const known = new Set(before.jobs.map((j) => j.id));
  let jobId = 0;
  await expect.poll(async () => (jobId = (await ok(app.client.listQueue())).jobs.find((j) => !known.has(j.id))?.id ?? 0), QUICK).toBeGreaterThan(0);
  return page.locator(`[data-testid="queue-item"][data-job-id="${jobId}"]`);
}

async function openGallery(): Promise<void> {
  await byTestId('nav-gallery').click();
  await byTestId('nav-library').click();
  await byTestId('gallery-grid').waitFor();
}

async function search(text: string): Promise<void> {
  await fill(byTestId('search-box'), text);
  await byTestId('search-box').press('Enter');
}

beforeAll(async () => {
  app = await startStudio({ rendererDir: await builtRenderer() });
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
});

afterEach(() => {
  expect(problems.take()).toEqual([]);
  expect(app.takeErrors()).toEqual([]);
});

describe('the studio in Chromium', { timeout: 120_000 }, () => {
  it('generates from the prompt, shows progress and a live preview, then the image in the gallery', async () => {
    await fill(byTestId('prompt-editor'), CIRCLE);
    const { tokenCount, maxTokens } = await ok(app.client.tokenize({ modelId: 'embedded', text: CIRCLE }));
    await expect.poll(() => byTestId('prompt-editor-tokens').textContent(), QUICK).toBe(`${tokenCount} / ${maxTokens} tokens`);
    await screenshot(page, 'generate');

    const job = await generate(CIRCLE, WATCHED_STEPS);
    const preview = job.getByTestId('job-preview').first();
    await preview.waitFor({ timeout: SLOW.timeout });
    await screenshot(page, 'queue-preview');
    expect(await preview.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    const progress = job.getByTestId('job-progress');
    expect(await job.getAttribute('data-status')).toBe('running');
    expect(Number(await progress.getAttribute('aria-valuenow'))).toBeGreaterThan(0);
    expect(await progress.getAttribute('aria-valuemax')).toBe(String(WATCHED_STEPS));

    await expect.poll(() => job.getAttribute('data-status'), SLOW).toBe('done');
    await job.getByTestId('job-result').waitFor();

    const images = (await ok(app.client.listImages({}))).items;
    expect(images.map((i) => [i.prompt, i.steps])).toEqual([[CIRCLE, WATCHED_STEPS]]);
    ids.circle = images[0]?.id ?? 0;

    await openGallery();
    await expect.poll(shownImageIds, QUICK).toEqual([ids.circle]);
    await expect.poll(() => naturalWidth('[data-testid="gallery-tile"] img'), QUICK).toBeGreaterThan(0);
    await screenshot(page, 'gallery');
  });

  it('favourites the image in the viewer', async () => {
    await tiles().first().getByTestId('tile-open').click();
    const viewer = byTestId('viewer');
    await viewer.waitFor();
    expect(await viewer.getAttribute('data-image-id')).toBe(String(ids.circle));
    expect(await byTestId('viewer-prompt').textContent()).toBe(CIRCLE);
    await expect.poll(() => naturalWidth('[data-testid="viewer-image"]'), QUICK).toBe(64);

    await byTestId('favourite-button').click();
    await expect.poll(() => byTestId('favourite-button').getAttribute('aria-pressed'), QUICK).toBe('true');
    await expect.poll(async () => (await ok(app.client.getImage({ imageId: ids.circle }))).favourite, QUICK).toBe(true);
    await screenshot(page, 'viewer');

    await byTestId('viewer-close').click();
    await tiles().first().getByTestId('tile-favourite').waitFor();
  });

  it('creates an album and adds the image to it by dragging it onto the album', async () => {
    await byTestId('album-new').click();
    await fill(byTestId('album-name-input'), 'Shapes');
    await byTestId('album-create').click();
    const album = page.locator('[data-testid="album-item"][data-album-name="Shapes"]');
    await album.waitFor();
    ids.album = Number(await album.getAttribute('data-album-id'));
    expect((await ok(app.client.listAlbums())).map((a) => [a.id, a.name])).toEqual([[ids.album, 'Shapes']]);

    await openGallery();
    await tiles().first().dragTo(album);
    await expect.poll(async () => (await ok(app.client.listAlbumImages({ albumId: ids.album }))).items.map((i) => i.id), QUICK).toEqual([ids.circle]);

    await album.getByTestId('album-open').click();
    await expect.poll(() => byTestId('gallery-title').textContent(), QUICK).toBe('Shapes');
    await expect.poll(shownImageIds, QUICK).toEqual([ids.circle]);
    await screenshot(page, 'albums');
  });

  it('searches by a word of the prompt and filters by favourites', async () => {
    const job = await generate(TRIANGLE, 20);
    await expect.poll(() => job.getAttribute('data-status'), SLOW).toBe('done');
    ids.triangle = (await ok(app.client.listImages({ filters: { text: 'triangle' } }))).items[0]?.id ?? 0;
    expect(ids.triangle).toBeGreaterThan(0);

    await openGallery();
    await expect.poll(shownImageIds, QUICK).toEqual([ids.triangle, ids.circle]);

    await search('circle');
    await expect.poll(shownImageIds, QUICK).toEqual([ids.circle]);
    // The count comes from its own call, a moment after the tiles.
    await expect.poll(() => byTestId('gallery-count').getAttribute('data-count'), QUICK).toBe('1');
    await screenshot(page, 'search');
    await search('triangle');
    await expect.poll(shownImageIds, QUICK).toEqual([ids.triangle]);
    await search('hexagon');
    await byTestId('gallery-empty').waitFor();
    expect(await byTestId('gallery-empty').textContent()).toBe('No image matches this search and these filters.');

    await byTestId('filters-clear').click();
    await expect.poll(shownImageIds, QUICK).toEqual([ids.triangle, ids.circle]);
    await byTestId('filter-favourite').click();
    await expect.poll(shownImageIds, QUICK).toEqual([ids.circle]);
    await byTestId('filter-favourite').click();
    await expect.poll(shownImageIds, QUICK).toEqual([ids.triangle, ids.circle]);
  });

  it('finds it all still there after the studio restarts and the page reloads', async () => {
    await app.restart();
    await page.reload();
    await byTestId('gallery-grid').waitFor();
    // While the studio was down the page could not reach it, and Chromium logs each refused attempt; nothing else.
    expect(problems.take([/WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/studio\?token=…' failed: .*ERR_CONNECTION_REFUSED/, /^request failed: .*ERR_CONNECTION_REFUSED$/])).toEqual([]);

    await expect.poll(shownImageIds, QUICK).toEqual([ids.triangle, ids.circle]);
    await page.locator(`[data-testid="gallery-tile"][data-image-id="${ids.circle}"] [data-testid="tile-favourite"]`).waitFor();
    expect(await page.locator(`[data-testid="gallery-tile"][data-image-id="${ids.triangle}"] [data-testid="tile-favourite"]`).count()).toBe(0);

    await page.locator(`[data-testid="album-item"][data-album-id="${ids.album}"] [data-testid="album-open"]`).click();
    await expect.poll(shownImageIds, QUICK).toEqual([ids.circle]);

    await byTestId('nav-favourites').click();
    await expect.poll(shownImageIds, QUICK).toEqual([ids.circle]);
    await search('triangle');
    await expect.poll(shownImageIds, QUICK).toEqual([]);
  });

  it('cancels a running job, which leaves no image behind', async () => {
    const job = await generate(CIRCLE, LONG_STEPS);
    await expect.poll(async () => Number(await job.getByTestId('job-progress').getAttribute('aria-valuenow')), SLOW).toBeGreaterThan(0);
    await job.getByTestId('job-cancel').click();
    await expect.poll(() => job.getAttribute('data-status'), SLOW).toBe('cancelled');
    await job.getByTestId('job-retry').waitFor();
    await screenshot(page, 'queue-cancelled');

    const jobId = Number(await job.getAttribute('data-job-id'));
    const stored = (await ok(app.client.listQueue())).jobs.find((j) => j.id === jobId);
    expect([stored?.status, stored?.imageIds]).toEqual(['cancelled', []]);
    expect((await ok(app.client.countImages({}))).count).toBe(2);
  });

  it('says clearly that a folder without a model is not a model folder', async () => {
    const folder = path.join(app.dir, 'not-a-model');
    await mkdir(folder);
    await writeFile(path.join(folder, 'notes.txt'), 'not a model\n');

    await byTestId('nav-settings').click();
    await byTestId('settings-screen').waitFor();
    await screenshot(page, 'settings');
    await fill(byTestId('settings-model-folder'), folder);
    await byTestId('settings-model-folder-add').click();

    const error = byTestId('settings-model-folder-error');
    await error.waitFor({ timeout: SLOW.timeout });
    expect(await error.getAttribute('data-code')).toBe('MODEL_INVALID');
    const text = (await error.textContent()) ?? '';
    expect(text).toContain('That folder is not a usable model');
    expect(text).toContain(folder);
    // A sentence, never a stack trace.
    expect(text).not.toMatch(/\n\s+at |\.ts:\d+|Error:/);
    await screenshot(page, 'error');

    expect((await ok(app.client.getSettings())).modelFolders).toEqual([]);
    expect((await ok(app.client.listModels())).map((m) => m.id)).toEqual(['embedded']);
  });

  it('speaks French to a French browser, and English once the settings say so', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
    const french = await context.newPage();
    const frenchProblems = new PageProblems(french);
    try {
      await french.goto(app.url);
      await expect.poll(() => french.getByTestId('nav-generate').textContent(), QUICK).toBe('Générer');
      expect(await french.getAttribute('html', 'lang')).toBe('fr');
      await screenshot(french, 'generate-fr');

      await french.getByTestId('nav-settings').click();
      await french.getByTestId('settings-language').selectOption('en');
      await expect.poll(() => french.getByTestId('nav-settings').textContent(), QUICK).toBe('Settings');
      expect((await ok(app.client.getSettings())).language).toBe('en');
      await french.getByTestId('settings-language').selectOption('system');
      await expect.poll(() => french.getByTestId('nav-settings').textContent(), QUICK).toBe('Réglages');
      expect(frenchProblems.take()).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('gives bench:ui what it measures: the first-page probe, the renderer\'s marks, the scroll loop', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    await context.addInitScript({ content: firstPageProbe(GALLERY) });
    const measured = await context.newPage();
    const measuredProblems = new PageProblems(measured);
    try {
      await measured.goto(`${app.url}#/gallery`);
      await measured.evaluate(firstPageReady(QUICK.timeout));
      const first = FirstPage.parse(await measured.evaluate(FIRST_PAGE_RESULT));
      expect(first.tiles).toBe(2);
      expect(first.marks.firstPage).not.toBeNull();
      expect(first.marks.firstImage).not.toBeNull();
      const scrolled = ScrollRun.parse(await measured.evaluate(scrollScript(GALLERY.grid, 1000, 0.5)));
      expect(scrolled.frames.length).toBeGreaterThan(0);
      expect(measuredProblems.take()).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('tags and exports a selection, makes an album cover, and deletes a trashed image for good', async () => {
    await page.goto(`${app.url}#/gallery`);
    await openGallery();
    await expect.poll(shownImageIds, QUICK).toEqual([ids.triangle, ids.circle]);
    await byTestId('select-all').click();
    await fill(byTestId('bulk-tag-input'), 'keeper');
    await byTestId('bulk-tag').click();
    await expect.poll(async () => (await ok(app.client.listTags())).map((t) => [t.name, t.count]), QUICK).toEqual([['keeper', 2]]);
    const zip = path.join(app.dir, 'shapes.zip');
    await byTestId('bulk-export').click();
    await fill(byTestId('export-path'), zip);
    await screenshot(page, 'selection-tools');
    await byTestId('export-go').click();
    await expect.poll(() => stat(zip).then((file) => file.size, () => 0), QUICK).toBeGreaterThan(0);
    await byTestId('select-none').click();

    // The circle is in the album: make it the cover, and the sidebar shows it.
    await page.locator(`[data-testid="gallery-tile"][data-image-id="${ids.circle}"]`).dblclick();
    await byTestId('viewer-album-cover').click();
    await expect.poll(() => byTestId('viewer-album-cover').getAttribute('aria-pressed'), QUICK).toBe('true');
    await page.keyboard.press('Escape');
    await page.locator(`[data-testid="album-item"][data-album-id="${ids.album}"] [data-testid="album-cover"]`).waitFor();

    // The triangle goes to the trash, then for good: its file leaves the disk.
    const triangle = await ok(app.client.getImage({ imageId: ids.triangle }));
    await page.locator(`[data-testid="gallery-tile"][data-image-id="${ids.triangle}"]`).click();
    await byTestId('bulk-trash').click();
    await expect.poll(shownImageIds, QUICK).toEqual([ids.circle]);
    await byTestId('nav-trash').click();
    await expect.poll(shownImageIds, QUICK).toEqual([ids.triangle]);
    await byTestId('trash-empty').click();
    await screenshot(page, 'trash-empty');
    await byTestId('trash-empty-confirm').click();
    await expect.poll(() => byTestId('gallery-empty').textContent(), QUICK).toBe('The trash is empty.');
    expect((await ok(app.client.countImages({ filters: { trashed: true } }))).count).toBe(0);
    await expect(stat(app.studio.library.resolve(triangle.filePath))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
