/** The store in React: a provider per page, and hooks that select with `useShallow` where they pick several values. */
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { Host } from '../host';
import { translator, type Translate } from '../i18n';
import type { StudioState, StudioStore } from './index';

const StoreContext = createContext<{ store: StudioStore; host: Host } | null>(null);

export function StoreProvider({ store, host, children }: { store: StudioStore; host: Host; children: ReactNode }) {
  const value = useMemo(() => ({ store, host }), [store, host]);
  return <StoreContext.Provider value={value}>{children}</StoreContext.Provider>;
}

function useContextValue() {
  const value = useContext(StoreContext);
  if (value === null) throw new Error('StoreProvider is missing');
  return value;
}

/** One value of the store. */
export function useStudio<T>(selector: (state: StudioState) => T): T {
  return useStore(useContextValue().store, selector);
}

/** Several values at once (an object or array), compared shallowly so the component re-renders only on change. */
export function useStudioShallow<T>(selector: (state: StudioState) => T): T {
  return useStore(useContextValue().store, useShallow(selector));
}

export function useHost(): Host {
  return useContextValue().host;
}

export function useT(): Translate {
  return translator(useStudio((s) => s.locale));
}
