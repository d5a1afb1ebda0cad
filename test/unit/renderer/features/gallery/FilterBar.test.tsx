// @vitest-environment jsdom
/** The search box and filters: typing searches after a pause, filters and sorts become the query. */
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FilterBar } from '../../../../../renderer/src/features/gallery/FilterBar';
import { EMBEDDED, fakeStudio, image, renderWith } from '../../support';

afterEach(cleanup);

describe('FilterBar', () => {
  it('searches once typing pauses, and turns each filter and the sort into the query', async () => {
    const studio = fakeStudio({
      listImages: async () => ({ items: [image(1)], nextCursor: null }),
      countImages: async (input) => ({ count: input.filters.text === undefined ? 12_000 : 1 }),
      listModels: async () => [EMBEDDED],
      listTags: async () => [{ name: 'keeper', count: 2 }],
    });
    await studio.store.getState().loadModels();
    await studio.store.getState().loadTags();
    renderWith(studio, <FilterBar />);
    const box = screen.getByTestId('search-box');
    fireEvent.change(box, { target: { value: 'r' } });
    fireEvent.change(box, { target: { value: 'red' } });
    fireEvent.change(box, { target: { value: 'red circ*' } });
    await waitFor(() => expect(studio.store.getState().filters.text).toBe('red circ*'));
    expect(studio.calls.filter((c) => c.name === 'listImages')).toHaveLength(1);
    await waitFor(() => expect(screen.getByTestId('gallery-count').textContent).toBe('1 image'));

    fireEvent.click(screen.getByTestId('filter-favourite'));
    fireEvent.click(screen.getByTestId('filters-toggle'));
    fireEvent.change(screen.getByTestId('filter-model'), { target: { value: 'studio-shapes' } });
    fireEvent.change(screen.getByTestId('filter-rating'), { target: { value: '3' } });
    fireEvent.change(screen.getByTestId('filter-aspect'), { target: { value: 'square' } });
    fireEvent.change(screen.getByTestId('filter-tag'), { target: { value: 'keeper' } });
    fireEvent.change(screen.getByTestId('filter-since'), { target: { value: '2026-11-01' } });
    fireEvent.change(screen.getByTestId('sort-select'), { target: { value: 'relevance' } });
    await waitFor(() =>
      expect(studio.calls.filter((c) => c.name === 'listImages').at(-1)?.input).toEqual({
        filters: { text: 'red circ*', favourite: true, models: ['studio-shapes'], minRating: 3, aspect: 'square', tag: 'keeper', since: Date.parse('2026-11-01T00:00:00') },
        sort: 'relevance',
        limit: 80,
      }),
    );

    fireEvent.click(screen.getByTestId('filters-clear'));
    await waitFor(() => expect(screen.getByTestId('gallery-count').textContent).toBe('more than 10,000 images'));
    expect((screen.getByTestId('search-box') as HTMLInputElement).value).toBe('');
    expect(studio.store.getState().filters).toEqual({});
  });
});
