/**
 * The screens, in the order of the navigation tabs: the one list to extend with a screen (an `id`, its tab's
 * label, its component). The address bar's hash follows the route (`#/gallery`), so a reload stays on it.
 */
import type { ComponentType } from 'react';
import { AccountScreen } from '../features/account/AccountScreen';
import { CommunityScreen } from '../features/community/CommunityScreen';
import { GalleryScreen } from '../features/gallery/GalleryScreen';
import { GenerateScreen } from '../features/generate/GenerateScreen';
import { SettingsScreen } from '../features/settings/SettingsScreen';
import type { MessageKey } from '../i18n';

interface Route {
  readonly id: string;
  readonly label: MessageKey;
  readonly Screen: ComponentType;
}

export const ROUTES = [
  { id: 'generate', label: 'nav.generate', Screen: GenerateScreen },
  { id: 'gallery', label: 'nav.gallery', Screen: GalleryScreen },
  { id: 'community', label: 'nav.community', Screen: CommunityScreen },
  { id: 'settings', label: 'nav.settings', Screen: SettingsScreen },
  { id: 'account', label: 'nav.account', Screen: AccountScreen },
] as const satisfies readonly Route[];

export type RouteId = (typeof ROUTES)[number]['id'];

export function routeFromHash(hash: string): RouteId | null {
  const id = hash.replace(/^#\/?/, '');
  return ROUTES.find((r) => r.id === id)?.id ?? null;
}
