/** The settings screen: the saved settings, what the studio runs with now, and model folders. */
import type { Settings, StudioError, SystemInfo } from '../../../../electron/contract';
import { resolveLocale } from '../../i18n';
import { valueOr, type SliceCreator } from '../../store';

export interface SettingsSlice {
  readonly settings: Settings | null;
  readonly systemInfo: SystemInfo | null;
  /** The last failure of adding a model folder, shown under its field. */
  readonly modelFolderError: StudioError | null;
  readonly addingModelFolder: boolean;
  loadSettings(): Promise<void>;
  saveSettings(patch: Partial<Settings>): Promise<boolean>;
  addModelFolder(path: string): Promise<boolean>;
  removeModelFolder(modelId: string): Promise<void>;
  applySettings(settings: Settings): void;
}

export const createSettingsSlice: SliceCreator<SettingsSlice> = (deps) => (set, get) => {
  const client = deps.host.client;
  return {
    settings: null,
    systemInfo: null,
    modelFolderError: null,
    addingModelFolder: false,
    loadSettings: async () => {
      const [settings, systemInfo] = await Promise.all([valueOr(get, client.getSettings()), valueOr(get, client.getSystemInfo())]);
      if (systemInfo !== undefined) set({ systemInfo });
      if (settings === undefined) return;
      const first = get().settings === null;
      get().applySettings(settings);
      if (first) get().applyDefaults(settings.defaults);
    },
    saveSettings: async (patch) => {
      const current = get().settings;
      if (current === null) return false;
      const saved = await valueOr(get, client.updateSettings({ ...current, ...patch }));
      if (saved === undefined) return false;
      get().applySettings(saved);
      return true;
    },
    addModelFolder: async (path) => {
      set({ addingModelFolder: true, modelFolderError: null });
      const result = await client.addModelFolder({ path });
      set({ addingModelFolder: false, modelFolderError: result.ok ? null : result.error });
      if (result.ok) await get().loadModels();
      return result.ok;
    },
    removeModelFolder: async (modelId) => {
      if ((await valueOr(get, client.removeModelFolder({ modelId }))) !== undefined) await get().loadModels();
    },
    applySettings: (settings) => set({ settings, locale: resolveLocale(settings.language, deps.languages) }),
  };
};
