// @vitest-environment jsdom
/**
 * The Community tab: the first page, the next ones as the end of the list comes into view (jsdom has no
 * layout, so the IntersectionObserver is one the test drives) or from the "more" button, the sorts, likes
 * with their counts, downloading an original, and a platform that cannot be reached.
 */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommunityItem } from '../../../../electron/contract';
import { CommunityScreen } from '../../../../renderer/src/features/community/CommunityScreen';
import { FakeFailure, fakeStudio, renderWith } from '../support';

/** The observers the screen made; `enter()` tells them their elements came into view. */
const observers: { callback: IntersectionObserverCallback; observed: Element[]; disconnected: boolean }[] = [];

class TestIntersectionObserver {
  private readonly entry: (typeof observers)[number];
  constructor(callback: IntersectionObserverCallback) {
    this.entry = { callback, observed: [], disconnected: false };
    observers.push(this.entry);
  }
  observe(element: Element) {
    this.entry.observed.push(element);
  }
  disconnect() {
    this.entry.disconnected = true;
  }
}

function enter() {
  for (const o of observers.filter((o) => !o.disconnected)) {
    o.callback(o.observed.map((target) => ({ target, isIntersecting: true }) as IntersectionObserverEntry), o as unknown as IntersectionObserver);
  }
}

beforeEach(() => {
  observers.length = 0;
  Object.defineProperty(window, 'IntersectionObserver', { value: TestIntersectionObserver, configurable: true, writable: true });
});
afterEach(cleanup);

function item(n: number, patch: Partial<CommunityItem> = {}): CommunityItem {
  return {
    id: `img_remote${String(n).padStart(4, '0')}`,
    title: `Shapes ${n}`,
    author: { id: 'usr_bob', displayName: 'Bob' },
    companionId: null,
    model: 'studio-shapes',
    width: 64,
    height: 64,
    likeCount: n,
    likedByMe: false,
    publishedAt: '2026-11-29T12:00:00Z',
    thumbnailUrl: `http://s3.test/thumbs/${n}.webp`,
    ...patch,
  };
}

/** A platform with `total` images, newest first, in pages of the size asked. */
function communityStudio(total: number) {
  const all = Array.from({ length: total }, (_, i) => item(total - i));
  return fakeStudio({
    listCommunity: async (input) => {
      const sorted = input.sort === 'most_liked' ? [...all].sort((a, b) => b.likeCount - a.likeCount || a.id.localeCompare(b.id)) : all;
      const start = input.cursor === undefined ? 0 : Number(input.cursor);
      const end = start + input.limit;
      return { items: sorted.slice(start, end), nextCursor: end < sorted.length ? String(end) : null };
    },
    likeImage: async (input) => {
      const found = all.find((i) => i.id === input.remoteImageId);
      if (found === undefined) throw new FakeFailure({ code: 'NOT_FOUND', message: 'gone' });
      return { imageId: found.id, likeCount: found.likeCount + 1, likedByMe: true };
    },
    unlikeImage: async (input) => ({ imageId: input.remoteImageId, likeCount: 7, likedByMe: false }),
    downloadCommunityImage: async () => ({ imageId: 42 }),
  });
}

const shownIds = () => screen.queryAllByTestId('community-item').map((e) => e.dataset['remoteId']);

describe('CommunityScreen', () => {
  it('shows the first page, then the next ones as the end comes into view or on "more"', async () => {
    const studio = communityStudio(60);
    renderWith(studio, <CommunityScreen />);
    await waitFor(() => expect(shownIds()).toHaveLength(24));
    expect(shownIds()[0]).toBe('img_remote0060');
    const first = screen.getAllByTestId('community-item')[0] as HTMLElement;
    expect(within(first).getByRole('img').getAttribute('src')).toBe('http://s3.test/thumbs/60.webp');
    expect(within(first).getByText('by Bob · Nov 29, 2026')).toBeTruthy();

    act(() => enter());
    await waitFor(() => expect(shownIds()).toHaveLength(48));
    fireEvent.click(screen.getByTestId('community-more'));
    await waitFor(() => expect(shownIds()).toHaveLength(60));
    expect(screen.queryByTestId('community-more')).toBeNull();
    expect(studio.calls.filter((c) => c.name === 'listCommunity').map((c) => c.input)).toEqual([
      { sort: 'newest', limit: 24 },
      { sort: 'newest', limit: 24, cursor: '24' },
      { sort: 'newest', limit: 24, cursor: '48' },
    ]);
    expect(new Set(shownIds()).size).toBe(60);
  });

  it('sorts by most liked, likes and unlikes with the counts the platform gives', async () => {
    const studio = communityStudio(3);
    renderWith(studio, <CommunityScreen />);
    await waitFor(() => expect(shownIds()).toEqual(['img_remote0003', 'img_remote0002', 'img_remote0001']));
    fireEvent.click(screen.getByTestId('community-sort-most_liked'));
    expect(screen.getByTestId('community-sort-most_liked').getAttribute('aria-pressed')).toBe('true');
    await waitFor(() => expect(studio.calls.at(-1)).toEqual({ name: 'listCommunity', input: { sort: 'most_liked', limit: 24 } }));

    const card = () => screen.getAllByTestId('community-item').find((e) => e.dataset['remoteId'] === 'img_remote0002') as HTMLElement;
    await waitFor(() => expect(card()).toBeTruthy());
    fireEvent.click(within(card()).getByTestId('community-like'));
    await waitFor(() => expect(within(card()).getByTestId('community-like-count').textContent).toBe('3'));
    expect(within(card()).getByTestId('community-like').getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(within(card()).getByTestId('community-like'));
    await waitFor(() => expect(within(card()).getByTestId('community-like-count').textContent).toBe('7'));
    expect(studio.calls.filter((c) => c.name.endsWith('likeImage')).map((c) => [c.name, c.input])).toEqual([
      ['likeImage', { remoteImageId: 'img_remote0002' }],
      ['unlikeImage', { remoteImageId: 'img_remote0002' }],
    ]);
  });

  it('says so in place of a thumbnail that cannot be loaded (its address expired)', async () => {
    renderWith(communityStudio(2), <CommunityScreen />);
    await waitFor(() => expect(shownIds()).toHaveLength(2));
    const [first, second] = screen.getAllByTestId('community-item') as [HTMLElement, HTMLElement];
    fireEvent.error(within(first).getByRole('img'));
    expect(within(first).getByTestId('community-thumbnail-failed').textContent).toBe('No preview: refresh the list');
    expect(within(second).getByRole('img')).toBeTruthy();
  });

  it('downloads an original into the library and says so', async () => {
    const studio = communityStudio(1);
    renderWith(studio, <CommunityScreen />);
    fireEvent.click(await screen.findByTestId('community-download'));
    await waitFor(() => expect(studio.store.getState().notices).toEqual([expect.objectContaining({ kind: 'info', message: 'community.downloaded' })]));
    expect(studio.calls.find((c) => c.name === 'downloadCommunityImage')?.input).toEqual({ remoteImageId: 'img_remote0001' });
    expect((screen.getByTestId('community-download') as HTMLButtonElement).disabled).toBe(false);
  });

  it('says when the platform cannot be reached, and when nothing is published', async () => {
    const down = fakeStudio({
      listCommunity: async () => {
        throw new FakeFailure({ code: 'PLATFORM_UNAVAILABLE', message: 'connect ECONNREFUSED' });
      },
    });
    renderWith(down, <CommunityScreen />);
    expect((await screen.findByTestId('community-error')).textContent).toBe('The online service cannot be reached; try again later.');
    expect(screen.queryByTestId('community-empty')).toBeNull();
    cleanup();

    renderWith(communityStudio(0), <CommunityScreen />);
    expect((await screen.findByTestId('community-empty')).textContent).toBe('Nothing has been published yet.');
  });
});
