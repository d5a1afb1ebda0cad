/**
 * Companions for Generate: the platform's list (main serves its cache when offline), the one chosen for the
 * next submission, and the prompt template that joins the companion's traits to the prompt — shown, editable,
 * and saved in main, which applies it when the job is queued.
 */
import type { Companion, StudioError } from '../../../../electron/contract';
import { valueOr, type SliceCreator } from '../../store';

export interface CompanionsSlice {
  readonly companions: readonly Companion[];
  /** The list is main's cache: the platform could not be asked. */
  readonly companionsOffline: boolean;
  /** The companion of the next generation; null: none. */
  readonly companionId: string | null;
  /** The saved template and the default one; null until loaded. */
  readonly companionTemplate: { readonly template: string; readonly defaultTemplate: string } | null;
  /** The template as being edited (equal to the saved one when unchanged). */
  readonly templateDraft: string;
  readonly templateError: StudioError | null;
  loadCompanions(): Promise<void>;
  chooseCompanion(companionId: string | null): void;
  editTemplate(text: string): void;
  /** Saves the draft (null: back to the default); the error stays beside the editor. */
  saveTemplate(template: string | null): Promise<boolean>;
}

export const createCompanionsSlice: SliceCreator<CompanionsSlice> = (deps) => (set, get) => {
  const client = deps.host.client;
  return {
    companions: [],
    companionsOffline: false,
    companionId: null,
    companionTemplate: null,
    templateDraft: '',
    templateError: null,
    loadCompanions: async () => {
      const [listing, template] = await Promise.all([valueOr(get, client.listCompanions()), valueOr(get, client.getCompanionTemplate())]);
      if (listing !== undefined) {
        const chosen = get().companionId;
        set({
          companions: listing.items,
          companionsOffline: listing.offline,
          // A companion the platform no longer has cannot be used: the next job would be refused.
          companionId: chosen !== null && listing.items.some((c) => c.id === chosen) ? chosen : null,
        });
      }
      if (template !== undefined) {
        const unchanged = get().companionTemplate === null || get().templateDraft === get().companionTemplate?.template;
        set({ companionTemplate: template, ...(unchanged ? { templateDraft: template.template } : {}) });
      }
    },
    chooseCompanion: (companionId) => set({ companionId }),
    editTemplate: (templateDraft) => set({ templateDraft, templateError: null }),
    saveTemplate: async (template) => {
      const result = await client.setCompanionTemplate({ template });
      if (!result.ok) {
        set({ templateError: result.error });
        return false;
      }
      set({ companionTemplate: result.value, templateDraft: result.value.template, templateError: null });
      return true;
    },
  };
};
