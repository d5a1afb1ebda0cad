// @vitest-environment jsdom
/** The Account screen: sign in (and a wrong password), the plan and balance, buying tokens, signing out, and the secret-store warning. */
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Account } from '../../../../electron/contract';
import { AccountScreen } from '../../../../renderer/src/features/account/AccountScreen';
import { bindEvents } from '../../../../renderer/src/store/events';
import { FakeFailure, fakeStudio, renderWith } from '../support';

afterEach(cleanup);

const FILE_STORE = { protection: 'owner-only-file', detail: 'Kept in /home/me/.config/Studio/platform-session.json' } as const;
const NO_KEYRING = { protection: 'unavailable', detail: 'No keyring' } as const;
const signedOut = (secretStore: Account['secretStore'] = FILE_STORE): Account => ({
  signedIn: false,
  email: null,
  displayName: null,
  plan: null,
  balance: null,
  remembered: false,
  secretStore,
});
const alice = (patch: Partial<Account> = {}): Account => ({
  signedIn: true,
  email: 'alice@example.com',
  displayName: 'Alice',
  plan: { id: 'pro', name: 'Pro', moderationLevel: 'standard', pricing: { baseTokens: 5, tokensPerMegapixel: 4 } },
  balance: 500,
  remembered: true,
  secretStore: FILE_STORE,
  ...patch,
});

function accountStudio(initial: Account) {
  let account = initial;
  return fakeStudio({
    getAccount: async () => account,
    openBuyTokens: async () => ({ url: 'https://platform.test/wallet/buy' }),
    signIn: async (input) => {
      if (input.password !== 'studio-dev') {
        throw new FakeFailure({ code: 'UNAUTHENTICATED', message: 'Wrong email or password.', details: { platformCode: 'INVALID_CREDENTIALS' } });
      }
      account = alice({ remembered: account.secretStore.protection !== 'unavailable' || input.allowUnprotectedStorage, secretStore: account.secretStore });
      return account;
    },
    signOut: async () => (account = signedOut(account.secretStore)),
  });
}

function signIn(email: string, password: string) {
  fireEvent.change(screen.getByTestId('sign-in-email'), { target: { value: email } });
  fireEvent.change(screen.getByTestId('sign-in-password'), { target: { value: password } });
  fireEvent.submit(screen.getByTestId('sign-in-form'));
}

describe('AccountScreen', () => {
  it('signs in, says so when the password is wrong, shows plan, balance and the buy link, and signs out', async () => {
    const studio = accountStudio(signedOut());
    renderWith(studio, <AccountScreen />);
    await screen.findByTestId('sign-in-form');
    expect(screen.queryByTestId('account-secret-warning')).toBeNull();
    expect(screen.queryByTestId('sign-in-remember-unprotected')).toBeNull();

    signIn('alice@example.com', 'wrong');
    expect((await screen.findByTestId('sign-in-error')).textContent).toBe('The email or the password is wrong.');
    signIn(' alice@example.com ', 'studio-dev');
    await screen.findByTestId('account-signed-in');
    expect(studio.calls.filter((c) => c.name === 'signIn').map((c) => c.input)).toEqual([
      { email: 'alice@example.com', password: 'wrong', allowUnprotectedStorage: false },
      { email: 'alice@example.com', password: 'studio-dev', allowUnprotectedStorage: false },
    ]);
    expect(screen.getByTestId('account-name').textContent).toBe('Alice');
    expect(screen.getByTestId('account-plan').textContent).toBe('Pro · standard moderation');
    expect(screen.getByTestId('account-balance').textContent).toBe('500 tokens');
    expect(screen.queryByTestId('account-not-remembered')).toBeNull();
    const buy = screen.getByTestId('buy-tokens');
    expect([buy.getAttribute('href'), buy.getAttribute('target'), buy.getAttribute('rel')]).toEqual(['https://platform.test/wallet/buy', '_blank', 'noopener noreferrer']);

    fireEvent.click(screen.getByTestId('sign-out'));
    await screen.findByTestId('sign-in-form');
    expect(studio.store.getState().account?.signedIn).toBe(false);
  });

  it('shows a refused sign-in for another reason as its sentence', async () => {
    const studio = fakeStudio({
      getAccount: async () => signedOut(),
      openBuyTokens: async () => ({ url: 'https://platform.test/wallet/buy' }),
      signIn: async () => {
        throw new FakeFailure({ code: 'PLATFORM_UNAVAILABLE', message: 'connect ECONNREFUSED' });
      },
    });
    renderWith(studio, <AccountScreen />);
    await screen.findByTestId('sign-in-form');
    signIn('alice@example.com', 'studio-dev');
    const error = await screen.findByTestId('sign-in-error');
    expect(error.dataset['code']).toBe('PLATFORM_UNAVAILABLE');
    expect(error.textContent).toBe('The online service cannot be reached; try again later.');
  });

  it('warns where the system cannot encrypt the sign-in, and keeps it only when asked to', async () => {
    const studio = accountStudio(signedOut(NO_KEYRING));
    renderWith(studio, <AccountScreen />);
    await screen.findByTestId('account-secret-warning');
    signIn('alice@example.com', 'studio-dev');
    await screen.findByTestId('account-signed-in');
    // Not asked: kept in memory only, and the screen says so.
    expect(screen.getByTestId('account-not-remembered')).toBeTruthy();
    expect(screen.getByTestId('account-secret-warning')).toBeTruthy();

    fireEvent.click(screen.getByTestId('sign-out'));
    await screen.findByTestId('sign-in-form');
    const remember = screen.getByTestId('sign-in-remember-unprotected') as HTMLInputElement;
    expect(remember.checked).toBe(false);
    fireEvent.click(remember);
    signIn('alice@example.com', 'studio-dev');
    await screen.findByTestId('account-signed-in');
    expect(screen.queryByTestId('account-not-remembered')).toBeNull();
    expect(studio.calls.filter((c) => c.name === 'signIn').map((c) => (c.input as { allowUnprotectedStorage: boolean }).allowUnprotectedStorage)).toEqual([false, true]);
  });

  it('follows account.changed from main (a balance spent by a publish)', async () => {
    const studio = accountStudio(alice());
    const stop = bindEvents(studio.store, studio.host);
    renderWith(studio, <AccountScreen />);
    await waitFor(() => expect(screen.getByTestId('account-balance').textContent).toBe('500 tokens'));
    studio.emit('account.changed', { account: alice({ balance: 491 }) });
    await waitFor(() => expect(screen.getByTestId('account-balance').textContent).toBe('491 tokens'));
    stop();
  });
});
