/** Messages for the user: errors from calls and events (as sentences chosen by their code) and short notes. */
import type { StudioError } from '../../../../electron/contract';
import type { MessageKey, Vars } from '../../i18n';
import type { SliceCreator } from '../../store';

export type Notice =
  | { readonly id: number; readonly kind: 'error'; readonly error: StudioError }
  | { readonly id: number; readonly kind: 'info'; readonly message: MessageKey; readonly vars?: Vars };

export interface NoticesSlice {
  readonly notices: readonly Notice[];
  reportError(error: StudioError): void;
  inform(message: MessageKey, vars?: Vars): void;
  dismiss(id: number): void;
}

/** Notes go by themselves; errors stay until dismissed. */
export const INFO_NOTICE_MS = 4000;
const MAX_NOTICES = 5;

export const createNoticesSlice: SliceCreator<NoticesSlice> = () => (set, get) => {
  let nextId = 1;
  const add = (notice: Notice) => set((s) => ({ notices: [...s.notices, notice].slice(-MAX_NOTICES) }));
  return {
    notices: [],
    reportError: (error) => {
      // The same failure reported twice in a row (e.g. every call while disconnected) shows once.
      const last = get().notices.at(-1);
      if (last?.kind === 'error' && last.error.code === error.code && last.error.message === error.message) return;
      add({ id: nextId++, kind: 'error', error });
    },
    inform: (message, vars) => {
      const id = nextId++;
      add(vars === undefined ? { id, kind: 'info', message } : { id, kind: 'info', message, vars });
      setTimeout(() => get().dismiss(id), INFO_NOTICE_MS);
    },
    dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
  };
};
