/**
 * `npm run bench:ui`: the gallery at 100,000 images in Chromium, against its targets — time to first page
 * ≤ 300 ms and p95 frame time while scrolling ≤ 20 ms. It prints; it asserts nothing about wall time.
 *
 * - The library: test/bench/ui/library.ts (100,000 rows, every original and thumbnail on disk, cached in the
 *   temp folder). A real Studio and web host serve it with the built renderer, as `studio serve` does.
 * - Time to first page: from the navigation start until every thumbnail in view has loaded, finished `decode()`
 *   and been painted (an in-page probe, test/bench/ui/page.ts), measured two ways: a cold load of `#/gallery`
 *   (counted from `performance.timeOrigin`; a new browser context each run, so no HTTP cache) and a switch from
 *   the Generate tab (counted from the click). The renderer's own marks
 *   (`studio:gallery-first-page`, `studio:gallery-first-image`) and Chromium's FCP and LCP are printed beside.
 * - Frame time: the grid is scrolled continuously by script, every animation frame, at two speeds; a frame's
 *   time is the delta between consecutive requestAnimationFrame timestamps. Long Animation Frames (Chromium's
 *   LoAF entries, > 50 ms) are counted beside, and Chromium's own main-thread times over the run (CDP
 *   `Performance.getMetrics`: script, style, layout, all tasks, and the CPU time the thread actually got) say
 *   whether long frames were the page's work or a machine too busy to schedule it.
 * Run it alone (other work on two cores shows up as long frames): `npm run bench:ui`.
 */
import { loadavg } from 'node:os';
import type { Browser, Page } from 'playwright-core';
import { PageProblems, launchChromium } from '../e2e/support/chromium';
import { builtRenderer } from '../e2e/support/renderer';
import { startStudio, type StudioUnderTest } from '../e2e/support/studio';
import { ROWS, benchLibrary } from './ui/library';
import {
  FIRST_PAGE_RESULT,
  FirstPage,
  GALLERY,
  MARK_START,
  ScrollRun,
  firstPageProbe,
  firstPageReady,
  mainThread,
  scrollScript,
  spentBetween,
  type MainThread,
} from './ui/page';

const FIRST_PAGE_TARGET_MS = 300;
const FRAME_P95_TARGET_MS = 20;
const VIEWPORT = { width: 1280, height: 800 } as const;
const RUNS = 5;
const SCROLL_SPEEDS = [2000, 6000] as const;
const SCROLL_SECONDS = 8;
const GALLERY_TAB = '[data-testid="nav-gallery"]';
/** The Generate screen is ready once the embedded model is listed. */
const GENERATE_READY = '[data-testid="model-select"] option[value="embedded"]';

const log = (line: string) => console.log(line);

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * (sorted.length - 1)))] ?? NaN;
}
const ms = (value: number | null) => (value === null ? '—' : `${value.toFixed(0)} ms`);
const verdict = (value: number, target: number) => `${(value / target).toFixed(2)} of the target: ${value <= target ? 'met' : 'NOT met'}`;

interface Session {
  readonly page: Page;
  readonly problems: PageProblems;
  close(): Promise<void>;
}

/** A fresh browser context (empty HTTP cache) with the first-page probe installed. */
async function openPage(browser: Browser): Promise<Session> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript({ content: firstPageProbe(GALLERY) });
  const page = await context.newPage();
  return { page, problems: new PageProblems(page), close: () => context.close() };
}

async function firstPage(page: Page): Promise<FirstPage> {
  await page.evaluate(firstPageReady(60_000));
  return FirstPage.parse(await page.evaluate(FIRST_PAGE_RESULT));
}

async function coldLoad(browser: Browser, url: string, problems: string[]): Promise<FirstPage> {
  const session = await openPage(browser);
  try {
    await session.page.goto(`${url}#/gallery`);
    return await firstPage(session.page);
  } finally {
    problems.push(...session.problems.take());
    await session.close();
  }
}

async function tabSwitch(browser: Browser, url: string, problems: string[]): Promise<FirstPage> {
  const session = await openPage(browser);
  try {
    await session.page.goto(`${url}#/generate`, { waitUntil: 'networkidle' });
    await session.page.waitForSelector(GENERATE_READY, { state: 'attached', timeout: 60_000 });
    // The start is taken in the page, in the same task as the click: no round trip to this process in between.
    await session.page.evaluate(`${MARK_START}; document.querySelector(${JSON.stringify(GALLERY_TAB)}).click()`);
    return await firstPage(session.page);
  } finally {
    problems.push(...session.problems.take());
    await session.close();
  }
}

interface Scrolled {
  readonly speed: number;
  readonly run: ScrollRun;
  /** Main-thread seconds spent during the run, by kind. */
  readonly busy: MainThread;
}

async function scroll(browser: Browser, url: string, problems: string[]): Promise<Scrolled[]> {
  const session = await openPage(browser);
  try {
    await session.page.goto(`${url}#/gallery`);
    await firstPage(session.page);
    const cdp = await session.page.context().newCDPSession(session.page);
    await cdp.send('Performance.enable');
    const runs: Scrolled[] = [];
    for (const speed of SCROLL_SPEEDS) {
      const before = mainThread(await cdp.send('Performance.getMetrics'));
      const run = ScrollRun.parse(await session.page.evaluate(scrollScript(GALLERY.grid, speed, SCROLL_SECONDS)));
      const after = mainThread(await cdp.send('Performance.getMetrics'));
      runs.push({ speed, run, busy: spentBetween(before, after) });
    }
    return runs;
  } finally {
    problems.push(...session.problems.take());
    await session.close();
  }
}

function reportFirstPage(name: string, runs: readonly FirstPage[]): void {
  const times = runs.map((r) => r.firstPage - r.start);
  const median = percentile(times, 0.5);
  const rel = (value: number | null, start: number) => (value === null ? null : value - start);
  const last = runs.at(-1);
  console.log(`  ${name.padEnd(26)} median ${ms(median).padStart(7)}   runs: ${times.map((t) => t.toFixed(0)).join(', ')} ms   ${verdict(median, FIRST_PAGE_TARGET_MS)}`);
  if (last !== undefined) {
    console.log(
      `  ${''.padEnd(26)} last run: ${last.tiles} tiles in view; renderer marks first-page ${ms(rel(last.marks.firstPage, last.start))}, ` +
        `first-image ${ms(rel(last.marks.firstImage, last.start))}; FCP ${ms(last.fcp)}, LCP ${ms(last.lcp)} (from the page load)`,
    );
  }
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0] ?? NaN;
  const libraryDir = await benchLibrary(log);
  const rendererDir = await builtRenderer(log);
  let studio: StudioUnderTest | undefined;
  let browser: Browser | undefined;
  const problems: string[] = [];
  try {
    studio = await startStudio({ rendererDir, libraryDir });
    browser = await launchChromium();
    // One untimed load: the first touch of the database and the files measures the disk, not the gallery.
    await coldLoad(browser, studio.url, problems);
    const cold: FirstPage[] = [];
    const switched: FirstPage[] = [];
    for (let i = 0; i < RUNS; i++) {
      cold.push(await coldLoad(browser, studio.url, problems));
      switched.push(await tabSwitch(browser, studio.url, problems));
    }
    const scrolled = await scroll(browser, studio.url, problems);

    console.log(`\nbench:ui — the gallery at ${ROWS.toLocaleString('en')} images; Chromium ${browser.version()} headless (software rendering), viewport ${VIEWPORT.width}×${VIEWPORT.height}`);
    console.log(`\nTime to first page (every thumbnail in view decoded and painted), median of ${RUNS}; target ≤ ${FIRST_PAGE_TARGET_MS} ms`);
    reportFirstPage('cold load of #/gallery', cold);
    reportFirstPage('Generate → Gallery tab', switched);
    console.log(`\nFrame time while scrolling (requestAnimationFrame deltas), ${SCROLL_SECONDS} s per speed; target p95 ≤ ${FRAME_P95_TARGET_MS} ms`);
    for (const { speed, run, busy } of scrolled) {
      const p95 = percentile(run.frames, 0.95);
      const blocking = run.long.reduce((sum, f) => sum + f.blocking, 0);
      const perFrame = (seconds: number) => ((seconds * 1000) / run.frames.length).toFixed(1);
      console.log(
        `  ${`${speed} px/s`.padEnd(10)} ${String(run.frames.length).padStart(4)} frames  p50 ${percentile(run.frames, 0.5).toFixed(1)} ms  p95 ${p95.toFixed(1)} ms  ` +
          `max ${Math.max(...run.frames).toFixed(1)} ms  long frames ${run.long.length} (blocking ${blocking.toFixed(0)} ms)  ` +
          `scrolled ${(run.scrolled / 1000).toFixed(0)}k of ${(run.scrollHeight / 1000).toFixed(0)}k px   ${verdict(p95, FRAME_P95_TARGET_MS)}`,
      );
      console.log(
        `  ${''.padEnd(10)} main thread busy ${((100 * busy.TaskDuration) / SCROLL_SECONDS).toFixed(0)}% of the run; per frame: ` +
          `script ${perFrame(busy.ScriptDuration)} ms, style ${perFrame(busy.RecalcStyleDuration)} ms, layout ${perFrame(busy.LayoutDuration)} ms, ` +
          `all tasks ${perFrame(busy.TaskDuration)} ms of which on a CPU ${perFrame(busy.ThreadTime)} ms`,
      );
    }
    console.log(`\nLoad average (1 min) on this machine: ${loadBefore.toFixed(2)} before, ${(loadavg()[0] ?? NaN).toFixed(2)} after.`);
    problems.push(...studio.takeErrors().map((e) => `studio: ${e}`));
    if (problems.length > 0) {
      console.error(`\nThe page or the studio reported problems; the figures above may not mean what they say:\n  ${problems.join('\n  ')}`);
      process.exitCode = 1;
    }
  } finally {
    await browser?.close();
    await studio?.close();
  }
}

await main();
