/** Imports of files dropped on the window: uploading them (in a browser), then the import's progress and report. */
import type { ImportProgress, ImportReport, StudioError } from '../../../../electron/contract';
import type { SliceCreator } from '../../store';

export interface ImportState {
  readonly progress: ImportProgress | null;
  readonly report: ImportReport | null;
  readonly error: StudioError | null;
}

export interface ImportsSlice {
  readonly imports: Readonly<Record<string, ImportState>>;
  /** Files being sent to the web host before their import starts. */
  readonly upload: { readonly total: number; readonly sent: number } | null;
  importDropped(files: readonly File[]): Promise<void>;
  applyImport(importId: string, patch: Partial<ImportState>): void;
  dismissImport(importId: string): void;
}

const EMPTY: ImportState = { progress: null, report: null, error: null };

export const createImportsSlice: SliceCreator<ImportsSlice> = (deps) => (set, get) => ({
  imports: {},
  upload: null,
  importDropped: async (files) => {
    if (files.length === 0 || get().upload !== null) return;
    set({ upload: { total: files.length, sent: 0 } });
    try {
      const started = await deps.host.importFiles(files, (sent) => set({ upload: { total: files.length, sent } }));
      if (started.ok) get().applyImport(started.value.importId, {});
      else get().reportError(started.error);
    } finally {
      set({ upload: null });
    }
  },
  applyImport: (importId, patch) => set((s) => ({ imports: { ...s.imports, [importId]: { ...(s.imports[importId] ?? EMPTY), ...patch } } })),
  dismissImport: (importId) => set((s) => ({ imports: Object.fromEntries(Object.entries(s.imports).filter(([id]) => id !== importId)) })),
});
