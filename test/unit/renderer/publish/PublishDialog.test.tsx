// @vitest-environment jsdom
/**
 * Publishing from the viewer: the quote (price, balance after, verdicts with the words that block), the
 * companion, the confirmation, the outbox's progress from `sync.progress` (dialog, viewer badge, gallery
 * items, balance), and failures as sentences.
 */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Account, Companion, EventPayload, ImageDetails, ImageSummary, PublishQuote, StudioError, StudioHandlers } from '../../../../electron/contract';
import { PublishDialogHost, PublishSelectionButton } from '../../../../renderer/src/features/publish/PublishDialog';
import { SyncBadge, syncLabels } from '../../../../renderer/src/features/publish/SyncBadge';
import { Viewer } from '../../../../renderer/src/features/viewer/Viewer';
import { translator } from '../../../../renderer/src/i18n';
import { bindEvents } from '../../../../renderer/src/store/events';
import { FakeFailure, fakeStudio, image, renderWith } from '../support';

afterEach(cleanup);

const AURORA: Companion = {
  id: 'cmp_aurora01',
  name: 'Aurora',
  description: 'A cartographer of northern skies.',
  traits: [{ key: 'hair', label: 'Hair', value: 'long silver hair' }],
  updatedAt: '2026-11-01T00:00:00Z',
};
const KENJI: Companion = { ...AURORA, id: 'cmp_kenji002', name: 'Kenji' };
const ACCOUNT: Account = {
  signedIn: true,
  email: 'alice@example.com',
  displayName: 'Alice',
  plan: { id: 'pro', name: 'Pro', moderationLevel: 'standard', pricing: { baseTokens: 5, tokensPerMegapixel: 4 } },
  balance: 500,
  remembered: true,
  secretStore: { protection: 'owner-only-file', detail: '' },
};
const ALLOWED: PublishQuote = { items: [{ imageId: 5, price: 9, moderation: 'allow', terms: [] }], total: 9, balance: 500, balanceAfter: 491, sufficient: true };

function progress(state: EventPayload<'sync.progress'>['state'], syncState: ImageSummary['syncState'], patch: Partial<EventPayload<'sync.progress'>> = {}): EventPayload<'sync.progress'> {
  return { outboxId: 1, imageId: 5, state, syncState, attempts: 1, lastError: null, nextAttemptAt: 0, bytes: null, ...patch };
}

function publishStudio(handlers: Partial<StudioHandlers>) {
  let details: ImageDetails = { ...image(5, { companionId: AURORA.id }), tags: [], albums: [] };
  let balance = 500;
  const studio = fakeStudio({
    listImages: async () => ({ items: [details], nextCursor: null }),
    countImages: async () => ({ count: 1 }),
    getImage: async () => details,
    listCompanions: async () => ({ items: [AURORA, KENJI], fetchedAt: 1, offline: false }),
    getCompanionTemplate: async () => ({ template: '{prompt}, {companion.traits}', defaultTemplate: '{prompt}, {companion.traits}' }),
    getAccount: async () => ({ ...ACCOUNT, balance }),
    openBuyTokens: async () => ({ url: 'https://platform.test/wallet/buy' }),
    quotePublish: async () => ALLOWED,
    publishImages: async (input) => {
      details = { ...details, syncState: 'queued', companionId: input.companionId };
      balance -= 9;
      return { items: input.imageIds.map((imageId) => ({ outboxId: 1, imageId, state: 'pending' as const, syncState: 'queued' as const })) };
    },
    ...handlers,
  });
  return { studio, setDetails: (patch: Partial<ImageDetails>) => (details = { ...details, ...patch }) };
}

async function openDialog(studio: ReturnType<typeof fakeStudio>) {
  await studio.store.getState().loadImages();
  await studio.store.getState().openViewer(0);
  renderWith(
    studio,
    <>
      <Viewer />
      <PublishDialogHost />
    </>,
  );
  fireEvent.click(screen.getByTestId('publish-button'));
  return screen.findByTestId('publish-dialog');
}

describe('the publish dialog', () => {
  it('quotes, publishes with the companion chosen, and follows the outbox to published', async () => {
    const { studio, setDetails } = publishStudio({});
    const stop = bindEvents(studio.store, studio.host);
    await studio.store.getState().loadAccount();
    expect(studio.store.getState().account?.balance).toBe(500);
    const dialog = await openDialog(studio);
    await within(dialog).findByTestId('publish-quote');
    expect(screen.getByTestId('publish-verdict').textContent).toBe('Prompt accepted');
    expect(screen.getByTestId('publish-price').textContent).toBe('9 tokens');
    expect(screen.getByTestId('publish-balance').textContent).toBe('500 tokens');
    expect(screen.getByTestId('publish-balance-after').textContent).toBe('491 tokens');
    expect(screen.getByTestId('publish-visibility').textContent).toBe('Public — anyone can see it in the Community tab');
    // The image's own companion is proposed; another can be chosen.
    const companion = screen.getByTestId('publish-companion') as HTMLSelectElement;
    await waitFor(() => expect([...companion.options].map((o) => o.text)).toEqual(['None', 'Aurora', 'Kenji']));
    expect(companion.value).toBe(AURORA.id);
    fireEvent.change(companion, { target: { value: KENJI.id } });

    fireEvent.click(screen.getByTestId('publish-confirm'));
    const row = await screen.findByTestId('publish-progress-item');
    expect(studio.calls.find((c) => c.name === 'publishImages')?.input).toEqual({ imageIds: [5], companionId: KENJI.id });
    expect(studio.store.getState().items[0]?.syncState).toBe('queued');

    studio.emit('sync.progress', progress('charged', 'publishing', { bytes: { sent: 4096, total: 10_000 } }));
    await waitFor(() => expect(row.dataset['state']).toBe('charged'));
    expect(within(row).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('4096');
    expect(studio.store.getState().items[0]?.syncState).toBe('publishing');
    // Tokens were consumed: the balance is asked again.
    await waitFor(() => expect(studio.store.getState().account?.balance).toBe(491));

    studio.emit('sync.progress', progress('uploaded', 'publishing', { attempts: 2, lastError: 'The platform did not answer in time.' }));
    await waitFor(() => expect(within(row).getByTestId('publish-progress-error').textContent).toBe('Will try again: The platform did not answer in time.'));

    setDetails({ syncState: 'published', remoteId: 'img_abcdef123' });
    studio.emit('sync.progress', progress('published', 'published'));
    await waitFor(() => expect(row.dataset['syncState']).toBe('published'));
    fireEvent.click(screen.getByTestId('publish-close'));
    expect(screen.queryByTestId('publish-dialog')).toBeNull();
    const badge = within(screen.getByTestId('viewer')).getByTestId('sync-badge');
    await waitFor(() => expect(studio.store.getState().details?.remoteId).toBe('img_abcdef123'));
    expect([badge.dataset['syncState'], badge.textContent]).toEqual(['published', '●Published']);
    expect(screen.getByTestId('unpublish-button')).toBeTruthy();
    stop();
  });

  it('refuses to publish what the balance does not cover or the moderation blocks, and says why', async () => {
    const blocked: PublishQuote = { items: [{ imageId: 5, price: 9, moderation: 'block', terms: ['gore', 'blood'] }], total: 9, balance: 4, balanceAfter: -5, sufficient: false };
    const { studio } = publishStudio({ quotePublish: async () => blocked });
    await openDialog(studio);
    await screen.findByTestId('publish-quote');
    expect(screen.getByTestId('publish-verdict').textContent).toBe('Prompt refused');
    expect(screen.getByTestId('publish-terms').textContent).toBe('because of: gore, blood');
    expect(screen.getByTestId('publish-balance-after').className).toBe('negative');
    expect(screen.getByTestId('publish-insufficient').textContent).toBe('Not enough tokens for this; buy more or choose fewer images.');
    expect(screen.getByTestId('publish-blocked').textContent).toBe('The online service’s moderation refuses this prompt at your plan; change the prompt.');
    expect((screen.getByTestId('publish-confirm') as HTMLButtonElement).disabled).toBe(true);
  });

  it('sends a signed-out user to the Account screen', async () => {
    const unauthenticated: StudioError = { code: 'UNAUTHENTICATED', message: 'Sign in first.' };
    const { studio } = publishStudio({
      quotePublish: async () => {
        throw new FakeFailure(unauthenticated);
      },
    });
    await openDialog(studio);
    const error = await screen.findByTestId('publish-quote-error');
    expect(error.textContent).toBe('You are not signed in to the online service, or your session ended; sign in and try again.');
    expect((screen.getByTestId('publish-confirm') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByTestId('publish-sign-in'));
    expect(studio.store.getState()).toMatchObject({ route: 'account', publishTarget: null, viewerIndex: null });
  });

  it('shows a refused publish as its sentence and keeps the dialog open', async () => {
    const { studio } = publishStudio({
      publishImages: async () => {
        throw new FakeFailure({ code: 'INSUFFICIENT_TOKENS', message: 'The balance is 4 tokens; 9 are needed.' });
      },
    });
    await openDialog(studio);
    await screen.findByTestId('publish-quote');
    fireEvent.click(screen.getByTestId('publish-confirm'));
    const error = await screen.findByTestId('publish-error');
    expect(error.dataset['code']).toBe('INSUFFICIENT_TOKENS');
    expect(error.textContent).toBe('Not enough tokens for this; buy more or choose fewer images.');
    expect(screen.getByTestId('publish-dialog')).toBeTruthy();
    expect(studio.store.getState().items[0]?.syncState).toBe('local');
  });

  it('says once, even with the dialog closed, that a publish ended without publishing', async () => {
    const { studio } = publishStudio({});
    const stop = bindEvents(studio.store, studio.host);
    await studio.store.getState().loadImages();
    studio.emit('sync.progress', progress('refunding', 'publishing', { lastError: 'The upload was refused.' }));
    studio.emit('sync.progress', progress('refunded', 'failed', { lastError: 'The upload was refused.' }));
    studio.emit('sync.progress', progress('refunded', 'failed', { lastError: 'The upload was refused.' }));
    expect(studio.store.getState().items[0]?.syncState).toBe('failed');
    expect(studio.store.getState().notices).toEqual([
      expect.objectContaining({ kind: 'info', message: 'publish.notPublished', vars: { id: 5, error: 'The upload was refused.' } }),
    ]);
    stop();
  });

  it('unpublishes a published image from the viewer', async () => {
    const { studio, setDetails } = publishStudio({
      unpublishImage: async (input) => {
        setDetails({ syncState: 'local', remoteId: null });
        return { imageId: input.imageId, syncState: 'local' };
      },
    });
    setDetails({ syncState: 'published', remoteId: 'img_abcdef123' });
    await studio.store.getState().loadImages();
    await studio.store.getState().openViewer(0);
    renderWith(studio, <Viewer />);
    fireEvent.click(await screen.findByTestId('unpublish-button'));
    await screen.findByTestId('publish-button');
    expect(studio.calls.find((c) => c.name === 'unpublishImage')?.input).toEqual({ imageId: 5 });
    expect(within(screen.getByTestId('viewer')).getByTestId('sync-badge').dataset['syncState']).toBe('local');
  });
});

describe('publishing a selection', () => {
  it('opens the dialog for the images picked in the gallery, and not for "select all"', async () => {
    const items = [image(5), image(6), image(7)];
    const quote: PublishQuote = {
      items: [5, 7].map((imageId) => ({ imageId, price: 9, moderation: 'allow' as const, terms: [] })),
      total: 18,
      balance: 500,
      balanceAfter: 482,
      sufficient: true,
    };
    const { studio } = publishStudio({ listImages: async () => ({ items, nextCursor: null }), countImages: async () => ({ count: 3 }), quotePublish: async () => quote });
    await studio.store.getState().loadImages();
    renderWith(
      studio,
      <>
        <PublishSelectionButton />
        <PublishDialogHost />
      </>,
    );
    expect(screen.queryByTestId('bulk-publish')).toBeNull();
    act(() => {
      studio.store.getState().selectAt(0, 'replace');
      studio.store.getState().selectAt(2, 'toggle');
    });
    fireEvent.click(screen.getByTestId('bulk-publish'));
    expect((await screen.findByTestId('publish-dialog')).querySelector('h2')?.textContent).toBe('Publish 2 images');
    await screen.findByTestId('publish-quote');
    expect(screen.getAllByTestId('publish-item').map((e) => e.dataset['imageId'])).toEqual(['5', '7']);
    expect(screen.getByTestId('publish-price').textContent).toBe('18 tokens');
    fireEvent.click(screen.getByTestId('publish-confirm'));
    await waitFor(() => expect(screen.getAllByTestId('publish-progress-item')).toHaveLength(2));
    expect(studio.calls.find((c) => c.name === 'publishImages')?.input).toEqual({ imageIds: [5, 7], companionId: null });
    fireEvent.click(screen.getByTestId('publish-close'));

    act(() => studio.store.getState().selectAll());
    expect(screen.queryByTestId('bulk-publish')).toBeNull();
  });
});

describe('SyncBadge', () => {
  it('names every state in the interface’s language', () => {
    const fr = syncLabels(translator('fr'));
    expect(fr).toEqual({ local: 'Non publiée', queued: 'En attente de publication', publishing: 'Publication…', published: 'Publiée', failed: 'Échec de la publication' });
    const { studio } = publishStudio({});
    renderWith(studio, <SyncBadge state="failed" label={fr.failed} />);
    const badge = screen.getByTestId('sync-badge');
    expect([badge.dataset['syncState'], badge.getAttribute('title'), badge.textContent]).toEqual(['failed', 'Échec de la publication', '!Échec de la publication']);
  });
});
