/**
 * The platform account: who is signed in, their plan and token balance, and how the sign-in is kept. Main
 * sends `account.changed` whenever any of it changes (sign in or out, a publish consumed tokens), so the
 * screens read it from here rather than asking again.
 */
import type { Account, StudioError } from '../../../../electron/contract';
import { valueOr, type SliceCreator } from '../../store';

export interface SignInForm {
  readonly email: string;
  readonly password: string;
  /** The user agreed to keep the sign-in unencrypted where the system has no secret store. */
  readonly allowUnprotectedStorage: boolean;
}

export interface AccountSlice {
  /** null until first loaded. */
  readonly account: Account | null;
  /**
   * The platform's page for buying tokens, shown as a link with target=_blank: a new tab in the web host, the
   * system browser in the desktop app (its window-open handler hands http(s) links to the shell).
   */
  readonly buyTokensUrl: string | null;
  readonly signingIn: boolean;
  /** Why the last sign-in failed, shown on the form (not as a notice). */
  readonly signInError: StudioError | null;
  loadAccount(): Promise<void>;
  signIn(form: SignInForm): Promise<boolean>;
  signOut(): Promise<void>;
  applyAccount(account: Account): void;
}

export const createAccountSlice: SliceCreator<AccountSlice> = (deps) => (set, get) => {
  const client = deps.host.client;
  return {
    account: null,
    buyTokensUrl: null,
    signingIn: false,
    signInError: null,
    loadAccount: async () => {
      const [account, buy] = await Promise.all([valueOr(get, client.getAccount()), client.openBuyTokens()]);
      if (account !== undefined) set({ account });
      // Without the link the button is only hidden: the account itself is what matters here.
      if (buy.ok) set({ buyTokensUrl: buy.value.url });
    },
    signIn: async (form) => {
      if (get().signingIn) return false;
      set({ signingIn: true, signInError: null });
      try {
        const result = await client.signIn({ email: form.email.trim(), password: form.password, allowUnprotectedStorage: form.allowUnprotectedStorage });
        if (!result.ok) {
          set({ signInError: result.error });
          return false;
        }
        set({ account: result.value });
        return true;
      } finally {
        set({ signingIn: false });
      }
    },
    signOut: async () => {
      const account = await valueOr(get, client.signOut());
      if (account !== undefined) set({ account });
    },
    applyAccount: (account) => set({ account }),
  };
};
