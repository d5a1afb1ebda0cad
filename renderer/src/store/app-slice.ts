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
    await Promise.all([s.loadSettings(), s.loadModels(), s.loadQueue(), s.loadAlbums(), s.loadTags(), s.loadImages()]);
  },
});
