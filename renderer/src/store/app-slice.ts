/** Which screen is shown, the connection's state, and the interface language. */
import type { RouteId } from '../app/routes';
import type { ConnectionStatus } from '../host';
import { resolveLocale, type Locale } from '../i18n';
import type { SliceCreator } from './index';

export interface AppSlice {
  readonly route: RouteId;
  readonly connection: ConnectionStatus;
  /** The language shown (the settings' choice, 'system' resolved against the browser's languages). */
  readonly locale: Locale;
  navigate(route: RouteId): void;
  setConnection(status: ConnectionStatus): void;
  /** Loads everything the screens show (at start and after a reconnection). */
  loadAll(): Promise<void>;
}

export const createAppSlice: SliceCreator<AppSlice> = (deps) => (set, get) => ({
  route: 'generate',
  connection: 'connected',
  locale: resolveLocale('system', deps.languages),
  navigate: (route) => set({ route }),
  setConnection: (connection) => set({ connection }),
  loadAll: async () => {
    const s = get();
    // What the screen in view shows goes first, alone: the studio answers calls in the order they arrive, so a
    // request sent alongside slower ones would wait for them.
    const all = [s.loadImages, s.loadQueue, s.loadSettings, s.loadModels, s.loadAlbums, s.loadTags];
    const byScreen: Partial<Record<RouteId, readonly (() => Promise<void>)[]>> = {
      generate: [s.loadModels, s.loadSettings, s.loadQueue],
      gallery: [s.loadImages, s.loadAlbums],
      settings: [s.loadSettings, s.loadModels],
    };
    const first = byScreen[s.route] ?? [];
    await Promise.all(first.map((load) => load()));
    await Promise.all(all.filter((load) => !first.includes(load)).map((load) => load()));
  },
});
