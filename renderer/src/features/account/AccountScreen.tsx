/**
 * The platform account: sign in, then who is signed in, the plan, the token balance, buying tokens (the
 * platform's page, opened in the browser: a plain link that the web host opens in a new tab and the desktop
 * app hands to the system browser), and signing out. Where the system cannot encrypt the sign-in, the
 * screen says so and asks before keeping it in plain text.
 */
import { useEffect, useId, useState } from 'react';
import type { Account } from '../../../../electron/contract';
import { ErrorText } from '../../components/ErrorText';
import { useStudio, useStudioShallow, useT } from '../../store/react';
import './account.css';

export function AccountScreen() {
  const t = useT();
  const account = useStudio((s) => s.account);
  const loadAccount = useStudio((s) => s.loadAccount);
  useEffect(() => void loadAccount(), [loadAccount]);
  return (
    <div className="account-screen" data-testid="account-screen">
      <h1>{t('account.title')}</h1>
      {account === null ? <p className="empty">{t('account.loading')}</p> : account.signedIn ? <SignedIn account={account} /> : <SignInForm account={account} />}
    </div>
  );
}

function SecretStoreWarning({ account }: { account: Account }) {
  const t = useT();
  if (account.secretStore.protection !== 'unavailable') return null;
  return (
    <p className="banner" role="note" data-testid="account-secret-warning">
      {t('account.secretStoreUnavailable')}
    </p>
  );
}

function SignInForm({ account }: { account: Account }) {
  const t = useT();
  const ids = { email: useId(), password: useId(), remember: useId() };
  const { signIn, signingIn, signInError } = useStudioShallow((s) => ({ signIn: s.signIn, signingIn: s.signingIn, signInError: s.signInError }));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [allowUnprotectedStorage, setAllowUnprotected] = useState(false);
  const unprotected = account.secretStore.protection === 'unavailable';
  const wrongPassword = signInError?.details?.['platformCode'] === 'INVALID_CREDENTIALS';
  return (
    <form
      className="panel account-panel"
      data-testid="sign-in-form"
      onSubmit={(e) => {
        e.preventDefault();
        void signIn({ email, password, allowUnprotectedStorage: unprotected && allowUnprotectedStorage }).then((ok) => {
          if (ok) setPassword('');
        });
      }}
    >
      <h2>{t('account.signInTitle')}</h2>
      <p className="muted">{t('account.signInHint')}</p>
      <label className="field" htmlFor={ids.email}>
        <span className="field-label">{t('account.email')}</span>
        <input id={ids.email} type="email" autoComplete="username" required data-testid="sign-in-email" value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label className="field" htmlFor={ids.password}>
        <span className="field-label">{t('account.password')}</span>
        <input
          id={ids.password}
          type="password"
          autoComplete="current-password"
          required
          data-testid="sign-in-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      <SecretStoreWarning account={account} />
      {unprotected && (
        <label className="checkbox" htmlFor={ids.remember}>
          <input id={ids.remember} type="checkbox" data-testid="sign-in-remember-unprotected" checked={allowUnprotectedStorage} onChange={(e) => setAllowUnprotected(e.target.checked)} />
          {t('account.rememberUnprotected')}
        </label>
      )}
      {signInError !== null &&
        (wrongPassword ? (
          <p className="error-text" role="alert" data-testid="sign-in-error" data-code={signInError.code}>
            <strong>{t('account.wrongPassword')}</strong>
          </p>
        ) : (
          <ErrorText error={signInError} testId="sign-in-error" />
        ))}
      <div className="button-row">
        <button type="submit" className="primary" data-testid="sign-in-submit" disabled={signingIn || email.trim() === '' || password === ''}>
          {t(signingIn ? 'account.signingIn' : 'account.signIn')}
        </button>
      </div>
    </form>
  );
}

function SignedIn({ account }: { account: Account }) {
  const t = useT();
  const { signOut, buyTokensUrl } = useStudioShallow((s) => ({ signOut: s.signOut, buyTokensUrl: s.buyTokensUrl }));
  return (
    <section className="panel account-panel" data-testid="account-signed-in">
      <div className="account-who">
        <span className="account-avatar" aria-hidden="true">
          {(account.displayName ?? account.email ?? '?').slice(0, 1).toUpperCase()}
        </span>
        <div>
          <h2 data-testid="account-name">{account.displayName ?? account.email}</h2>
          <p className="muted" data-testid="account-email">
            {account.email}
          </p>
        </div>
      </div>
      <dl className="meta account-facts">
        <div>
          <dt>{t('account.plan')}</dt>
          <dd data-testid="account-plan">{account.plan === null ? '—' : t('account.planValue', { plan: account.plan.name, level: t(`account.moderation.${account.plan.moderationLevel}`) })}</dd>
        </div>
        <div>
          <dt>{t('account.balance')}</dt>
          <dd data-testid="account-balance" data-balance={account.balance ?? ''}>
            {account.balance === null ? '—' : t('account.tokens', { count: account.balance })}
          </dd>
        </div>
        {account.plan !== null && (
          <div>
            <dt>{t('account.pricing')}</dt>
            <dd>{t('account.pricingValue', { base: account.plan.pricing.baseTokens, perMegapixel: account.plan.pricing.tokensPerMegapixel })}</dd>
          </div>
        )}
      </dl>
      <SecretStoreWarning account={account} />
      {!account.remembered && (
        <p className="hint" data-testid="account-not-remembered">
          {t('account.notRemembered')}
        </p>
      )}
      <div className="button-row">
        {buyTokensUrl !== null && (
          <a className="button-link primary" href={buyTokensUrl} target="_blank" rel="noopener noreferrer" data-testid="buy-tokens">
            {t('account.buyTokens')}
          </a>
        )}
        <button type="button" data-testid="sign-out" onClick={() => void signOut()}>
          {t('account.signOut')}
        </button>
      </div>
    </section>
  );
}
