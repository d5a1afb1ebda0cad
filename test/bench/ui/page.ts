/**
 * What `bench:ui` runs inside the page, and the checked shapes of what comes back.
 *
 * The scripts are plain JavaScript text rather than functions: a TypeScript function passed to Playwright is
 * serialised from its transpiled source, which the test runners may decorate with helpers that do not exist in
 * the page. What they return crosses a process boundary, so it is parsed with zod before use.
 */
import { z } from 'zod';

/** The marks the renderer's gallery emits (renderer/src/features/gallery/GalleryGrid.tsx). */
export const GALLERY_MARKS = { firstPage: 'studio:gallery-first-page', firstImage: 'studio:gallery-first-image' } as const;

export interface GallerySelectors {
  /** The grid's scrolling element. */
  readonly grid: string;
  /** One tile; its thumbnail is the `img` inside. */
  readonly tile: string;
}

/** The renderer's gallery (renderer/src/features/gallery/GalleryGrid.tsx). */
export const GALLERY: GallerySelectors = { grid: '[data-testid="gallery-grid"]', tile: '[data-testid="gallery-tile"]' };

/**
 * Installed before the page's own scripts (`addInitScript`): once every tile image inside the viewport has
 * loaded and finished `decode()`, records the start of the second animation frame after that — the first frame
 * showing them is then out: the first page of thumbnails painted — in ms since the navigation start
 * (`performance.timeOrigin`). For an in-app navigation the caller sets
 * `__uiBench.start` just before clicking, and the time counts from there. Also keeps Chromium's
 * largest-contentful-paint.
 */
export function firstPageProbe(selectors: GallerySelectors): string {
  return `(() => {
  const probe = { start: 0, firstPage: null, tiles: 0, lcp: null };
  window.__uiBench = probe;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) probe.lcp = entry.startTime;
  }).observe({ type: 'largest-contentful-paint', buffered: true });
  let pending = false;
  const check = () => {
    if (probe.firstPage !== null || pending) return;
    const grid = document.querySelector(${JSON.stringify(selectors.grid)});
    if (grid === null) return;
    const view = grid.getBoundingClientRect();
    const images = [...grid.querySelectorAll(${JSON.stringify(`${selectors.tile} img`)})].filter((img) => {
      const r = img.getBoundingClientRect();
      return r.bottom > view.top && r.top < view.bottom && r.right > view.left && r.left < view.right && r.bottom > 0 && r.top < innerHeight;
    });
    if (images.length === 0 || !images.every((img) => img.complete && img.naturalWidth > 0)) return;
    pending = true;
    Promise.all(images.map((img) => img.decode())).then(
      // The frame that paints them starts at the next animation frame; the one after begins once it is out.
      () => requestAnimationFrame(() => requestAnimationFrame(() => {
        probe.firstPage = performance.now();
        probe.tiles = images.length;
        observer.disconnect();
      })),
      () => { pending = false; },
    );
  };
  const observer = new MutationObserver(check);
  document.addEventListener('DOMContentLoaded', () => observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['src'] }));
  document.addEventListener('load', check, true);
})();`;
}

export const FirstPage = z.object({
  start: z.number().nonnegative(),
  firstPage: z.number().nonnegative(),
  tiles: z.number().int().positive(),
  lcp: z.number().nonnegative().nullable(),
  fcp: z.number().nonnegative().nullable(),
  /** The renderer's own performance marks (GalleryGrid), if it emitted them after `start`. */
  marks: z.object({ firstPage: z.number().nullable(), firstImage: z.number().nullable() }),
});
export type FirstPage = z.infer<typeof FirstPage>;

/**
 * Resolves once the probe has its answer, rejects after `timeoutMs`. A promise polled in the page rather than
 * Playwright's `waitForFunction`, whose string predicates need `eval`, which the studio's CSP forbids.
 */
export function firstPageReady(timeoutMs: number): string {
  return `new Promise((resolve, reject) => {
  const until = performance.now() + ${timeoutMs};
  const poll = () => {
    if (window.__uiBench !== undefined && window.__uiBench.firstPage !== null) resolve(true);
    else if (performance.now() > until) reject(new Error('the gallery showed no thumbnails within ${timeoutMs} ms'));
    else setTimeout(poll, 20);
  };
  poll();
})`;
}

export const FIRST_PAGE_RESULT = `(() => {
  const probe = window.__uiBench;
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const mark = (name) => {
    const found = performance.getEntriesByName(name, 'mark').filter((m) => m.startTime >= probe.start).at(0);
    return found === undefined ? null : found.startTime;
  };
  return {
    ...probe,
    fcp: fcp === undefined ? null : fcp.startTime,
    marks: { firstPage: mark('${GALLERY_MARKS.firstPage}'), firstImage: mark('${GALLERY_MARKS.firstImage}') },
  };
})()`;

/** Set just before an in-app navigation, so that the probe counts from it. */
export const MARK_START = 'window.__uiBench.start = performance.now()';

/**
 * Scrolls the grid down continuously at `pxPerSecond` for `seconds`, moving it every animation frame by the time
 * elapsed since the last one (so a late frame scrolls further, as a fling does), and returns every frame's
 * duration (the delta between consecutive requestAnimationFrame timestamps) plus the Long Animation Frames
 * Chromium reported meanwhile (frames over 50 ms, with how long they blocked).
 */
export function scrollScript(grid: string, pxPerSecond: number, seconds: number): string {
  return `new Promise((resolve) => {
  const grid = document.querySelector(${JSON.stringify(grid)});
  if (grid === null) throw new Error('no gallery grid to scroll');
  const long = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) long.push({ duration: entry.duration, blocking: entry.blockingDuration });
  });
  observer.observe({ type: 'long-animation-frame' });
  const frames = [];
  const startTop = grid.scrollTop;
  let start = null;
  let last = null;
  const step = (now) => {
    if (start === null) start = now;
    else frames.push(now - last);
    last = now;
    grid.scrollTop = startTop + ((now - start) / 1000) * ${pxPerSecond};
    if (now - start < ${seconds * 1000}) requestAnimationFrame(step);
    else {
      observer.disconnect();
      resolve({ frames, long, scrolled: grid.scrollTop - startTop, scrollHeight: grid.scrollHeight });
    }
  };
  requestAnimationFrame(step);
})`;
}

export const ScrollRun = z.object({
  frames: z.array(z.number().nonnegative()).min(1),
  long: z.array(z.object({ duration: z.number(), blocking: z.number() })),
  scrolled: z.number(),
  scrollHeight: z.number(),
});
export type ScrollRun = z.infer<typeof ScrollRun>;

/**
 * The main thread's cumulative times Chromium keeps (CDP `Performance.getMetrics`), in seconds: wall time in
 * tasks by kind, and `ThreadTime`, the CPU time the thread actually got — less than its task time when the
 * machine is too busy to schedule it.
 */
export type MainThread = Readonly<Record<'TaskDuration' | 'ScriptDuration' | 'RecalcStyleDuration' | 'LayoutDuration' | 'ThreadTime', number>>;

const Metrics = z.object({ metrics: z.array(z.object({ name: z.string(), value: z.number() })) });

export function mainThread(reply: unknown): MainThread {
  const { metrics } = Metrics.parse(reply);
  const value = (name: string) => {
    const found = metrics.find((m) => m.name === name);
    if (found === undefined) throw new Error(`Chromium reported no ${name} metric`);
    return found.value;
  };
  return {
    TaskDuration: value('TaskDuration'),
    ScriptDuration: value('ScriptDuration'),
    RecalcStyleDuration: value('RecalcStyleDuration'),
    LayoutDuration: value('LayoutDuration'),
    ThreadTime: value('ThreadTime'),
  };
}

/** The times spent between two readings. */
export function spentBetween(before: MainThread, after: MainThread): MainThread {
  return {
    TaskDuration: after.TaskDuration - before.TaskDuration,
    ScriptDuration: after.ScriptDuration - before.ScriptDuration,
    RecalcStyleDuration: after.RecalcStyleDuration - before.RecalcStyleDuration,
    LayoutDuration: after.LayoutDuration - before.LayoutDuration,
    ThreadTime: after.ThreadTime - before.ThreadTime,
  };
}
