/**
 * The renderer's entry: connect to the studio (Electron's `window.studio`, or the web host), make the store,
 * apply main's events to it, keep the route in the address bar's hash, and render.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { routeFromHash } from './app/routes';
import { connectHost } from './host';
import { resolveLocale, translator } from './i18n';
import { createStudioStore } from './store';
import { bindEvents } from './store/events';
import { StoreProvider } from './store/react';
import './styles.css';

async function start(root: HTMLElement) {
  const languages = navigator.languages.length > 0 ? navigator.languages : [navigator.language];
  let host;
  try {
    host = await connectHost();
  } catch {
    // The web host refused the session: the link is from an earlier run, or was opened without its token.
    const t = translator(resolveLocale('system', languages));
    const message = document.createElement('div');
    message.className = 'fatal';
    message.dataset['testid'] = 'connect-failed';
    const title = document.createElement('h1');
    title.textContent = t('app.connectFailed');
    const hint = document.createElement('p');
    hint.textContent = t('app.connectFailedHint');
    message.append(title, hint);
    root.replaceChildren(message);
    return;
  }
  const store = createStudioStore({ host, languages });
  bindEvents(store, host);
  const initial = routeFromHash(location.hash);
  if (initial !== null) store.getState().navigate(initial);
  store.subscribe((state, previous) => {
    if (state.route !== previous.route) history.replaceState(history.state, '', `#/${state.route}`);
  });
  window.addEventListener('hashchange', () => {
    const route = routeFromHash(location.hash);
    if (route !== null) store.getState().navigate(route);
  });
  createRoot(root).render(
    <StrictMode>
      <StoreProvider store={store} host={host}>
        <App />
      </StoreProvider>
    </StrictMode>,
  );
  await store.getState().loadAll();
}

const root = document.getElementById('root');
if (root !== null) void start(root);
