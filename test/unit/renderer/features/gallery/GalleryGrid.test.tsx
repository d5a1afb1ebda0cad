// @vitest-environment jsdom
/**
 * The grid in jsdom, given a size (jsdom lays nothing out): only the rows in view are in the DOM, the next page
 * loads as the end comes into view, and the mouse and keyboard select and open images.
 */
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ImageSummary } from '../../../../../electron/contract';
import { GalleryGrid } from '../../../../../renderer/src/features/gallery/GalleryGrid';
import { fakeStudio, image, renderWith, settle } from '../../support';

const WIDTH = 4 * 168 + 8;
const HEIGHT = 600;
const saved = {
  clientWidth: Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientWidth'),
  clientHeight: Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientHeight'),
  offsetWidth: Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'offsetWidth'),
  offsetHeight: Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'offsetHeight'),
  ResizeObserver: globalThis.ResizeObserver,
};

beforeAll(() => {
  for (const [name, value] of [
    ['clientWidth', WIDTH],
    ['clientHeight', HEIGHT],
    ['offsetWidth', WIDTH],
    ['offsetHeight', HEIGHT],
  ] as const) {
    Object.defineProperty(HTMLElement.prototype, name, { configurable: true, get: () => value });
  }
  globalThis.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
});

afterAll(() => {
  for (const name of ['clientWidth', 'clientHeight', 'offsetWidth', 'offsetHeight'] as const) {
    const descriptor = saved[name];
    if (descriptor !== undefined) Object.defineProperty(HTMLElement.prototype, name, descriptor);
  }
  globalThis.ResizeObserver = saved.ResizeObserver;
});

afterEach(cleanup);

function library(count: number) {
  const all: ImageSummary[] = Array.from({ length: count }, (_, i) => image(count - i));
  return fakeStudio({
    listImages: async (input) => {
      const start = input.cursor === undefined ? 0 : Number(input.cursor);
      const end = start + (input.limit ?? 100);
      return { items: all.slice(start, end), nextCursor: end < all.length ? String(end) : null };
    },
    countImages: async () => ({ count }),
    getImage: async (input) => ({ ...image(input.imageId), tags: [], albums: [] }),
  });
}

const selectedIds = () => screen.queryAllByTestId('gallery-tile').filter((t) => t.getAttribute('aria-selected') === 'true').map((t) => Number(t.dataset['imageId']));

describe('GalleryGrid', () => {
  it('fetches the thumbnails of the rows in view first, those of the overscan rows after', async () => {
    const studio = library(200);
    await studio.store.getState().loadImages();
    renderWith(studio, <GalleryGrid />);
    await waitFor(() => expect(screen.getAllByTestId('gallery-tile').length).toBeGreaterThan(0));
    const priorities = screen.getAllByTestId('gallery-tile').map((t) => t.querySelector('img')?.getAttribute('fetchpriority'));
    // 160 px tiles, 8 px apart: 600 px show 4 rows (the 4th in part), then come 2 rows of overscan.
    expect(priorities).toEqual([...Array<string>(4 * 4).fill('high'), ...Array<string>(4 * 2).fill('low')]);
    // The virtualizer places the rows and sizes their container itself: the first page's 80 images in 20 rows.
    const rows = [...screen.getByTestId('gallery-grid').querySelectorAll<HTMLElement>('.gallery-row')];
    expect(rows.map((row) => row.style.top)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `${8 + 168 * i}px`));
    expect(screen.getByTestId('gallery-grid').querySelector<HTMLElement>('.gallery-rows')?.style.height).toBe(`${20 * 168 + 8}px`);
  });

  it('renders only the rows in view out of 10,000 images, and loads the next page at the end', async () => {
    const studio = library(10_000);
    await studio.store.getState().loadImages();
    renderWith(studio, <GalleryGrid />);
    await waitFor(() => expect(screen.getAllByTestId('gallery-tile').length).toBeGreaterThan(0));
    const rendered = screen.getAllByTestId('gallery-tile').length;
    // 4 columns; 600 px of 176 px rows in view plus the overscan: a few rows, not 80 images.
    expect(rendered).toBeLessThanOrEqual(4 * 7);
    expect(screen.getAllByTestId('gallery-tile')[0]?.querySelector('img')?.getAttribute('src')).toBe('http://studio.test/library/thumbnails/ab/10000.webp');

    const grid = screen.getByTestId('gallery-grid');
    await act(async () => {
      grid.scrollTop = 20 * 176;
      fireEvent.scroll(grid);
      await settle();
    });
    await waitFor(() => expect(studio.store.getState().items.length).toBeGreaterThan(80));
    expect(studio.calls.filter((c) => c.name === 'listImages').map((c) => (c.input as { cursor?: string }).cursor)).toEqual([undefined, '80']);
  });

  it('selects with click, shift-click, ctrl-click and the keyboard, selects all, and opens the viewer', async () => {
    const studio = library(30);
    await studio.store.getState().loadImages();
    renderWith(studio, <GalleryGrid />);
    const tile = async (id: number) => {
      const found = screen.getAllByTestId('gallery-tile').find((t) => t.dataset['imageId'] === String(id));
      if (found === undefined) throw new Error(`no tile ${id}`);
      return found;
    };
    fireEvent.click(await tile(30));
    fireEvent.click(await tile(28), { shiftKey: true });
    expect(selectedIds()).toEqual([30, 29, 28]);
    fireEvent.click(await tile(29), { ctrlKey: true });
    expect(selectedIds()).toEqual([30, 28]);

    const grid = screen.getByTestId('gallery-grid');
    fireEvent.keyDown(grid, { key: 'ArrowDown' });
    // From the last clicked (29, index 1), one row of 4 down: index 5.
    expect(selectedIds()).toEqual([25]);
    fireEvent.keyDown(grid, { key: 'ArrowRight', shiftKey: true });
    expect(selectedIds()).toEqual([25, 24]);
    fireEvent.keyDown(grid, { key: 'a', ctrlKey: true });
    expect(studio.store.getState().allSelected).toBe(true);
    expect(studio.store.getState().selection()).toEqual({ filters: {} });
    fireEvent.keyDown(grid, { key: 'Escape' });
    expect(selectedIds()).toEqual([]);

    fireEvent.keyDown(grid, { key: 'Enter' });
    await waitFor(() => expect(studio.store.getState().details?.id).toBe(24));
    fireEvent.doubleClick(await tile(30));
    await waitFor(() => expect(studio.store.getState().details?.id).toBe(30));
  });
});
