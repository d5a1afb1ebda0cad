/**
 * The application menu: File, Edit, View, Window, Help with the standard roles (so copy, paste, undo, zoom and
 * full screen work in the text fields and behave as on every other app of the platform), plus the app menu on
 * macOS. Plain data: index.ts builds it with Menu.buildFromTemplate.
 *
 * Runtime: Electron main (imports only Electron's types).
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  /** Opens the library folder in the file manager. */
  showLibrary(): void;
  /** Opens the models folder, where model folders are dropped to be found. */
  showModels(): void;
}

export function menuTemplate(platform: NodeJS.Platform, options: { readonly developer: boolean; readonly actions: MenuActions }): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const separator: MenuItemConstructorOptions = { type: 'separator' };
  const app: MenuItemConstructorOptions[] = mac
    ? [{ role: 'appMenu', submenu: [{ role: 'about' }, separator, { role: 'services' }, separator, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, separator, { role: 'quit' }] }]
    : [];
  return [
    ...app,
    { role: 'fileMenu', submenu: [{ label: 'Show Library Folder', click: () => options.actions.showLibrary() }, separator, mac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu', submenu: [{ role: 'undo' }, { role: 'redo' }, separator, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'delete' }, separator, { role: 'selectAll' }] },
    {
      role: 'viewMenu',
      submenu: [
        ...(options.developer ? [{ role: 'reload' }, { role: 'toggleDevTools' }, separator] satisfies MenuItemConstructorOptions[] : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        separator,
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu', submenu: mac ? [{ role: 'minimize' }, { role: 'zoom' }, separator, { role: 'front' }] : [{ role: 'minimize' }, { role: 'close' }] },
    { role: 'help', submenu: [{ label: 'Show Models Folder', click: () => options.actions.showModels() }, ...(mac ? [] : [separator, { role: 'about' } as const])] },
  ];
}
