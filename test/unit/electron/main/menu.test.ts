/** The application menu (electron/main/menu.ts): the standard menus and roles, per platform. */
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { menuTemplate } from '../../../../electron/main/menu';

const roles = (items: MenuItemConstructorOptions[] | undefined) => (items ?? []).map((i) => i.role ?? i.label ?? i.type);
const submenu = (item: MenuItemConstructorOptions | undefined) => item?.submenu as MenuItemConstructorOptions[] | undefined;

describe('menuTemplate', () => {
  const calls: string[] = [];
  const actions = { showLibrary: () => void calls.push('library'), showModels: () => void calls.push('models') };

  it('has File, Edit, View, Window and Help with the standard roles on Linux and Windows', () => {
    for (const platform of ['linux', 'win32'] as const) {
      const menu = menuTemplate(platform, { developer: false, actions });
      expect(menu.map((m) => m.role)).toEqual(['fileMenu', 'editMenu', 'viewMenu', 'windowMenu', 'help']);
      expect(roles(submenu(menu[0]))).toEqual(['Show Library Folder', 'separator', 'quit']);
      expect(roles(submenu(menu[1]))).toEqual(['undo', 'redo', 'separator', 'cut', 'copy', 'paste', 'delete', 'separator', 'selectAll']);
      expect(roles(submenu(menu[2]))).toEqual(['resetZoom', 'zoomIn', 'zoomOut', 'separator', 'togglefullscreen']);
      expect(roles(submenu(menu[4]))).toEqual(['Show Models Folder', 'separator', 'about']);
    }
  });

  it('adds the app menu on macOS, where File closes the window and quitting is in the app menu', () => {
    const menu = menuTemplate('darwin', { developer: false, actions });
    expect(menu.map((m) => m.role)).toEqual(['appMenu', 'fileMenu', 'editMenu', 'viewMenu', 'windowMenu', 'help']);
    expect(roles(submenu(menu[0]))).toContain('quit');
    expect(roles(submenu(menu[1]))).toContain('close');
    expect(roles(submenu(menu[4]))).toEqual(['minimize', 'zoom', 'separator', 'front']);
  });

  it('offers reload and the developer tools only to developers', () => {
    expect(roles(submenu(menuTemplate('linux', { developer: true, actions })[2])).slice(0, 2)).toEqual(['reload', 'toggleDevTools']);
    expect(roles(submenu(menuTemplate('linux', { developer: false, actions })[2]))).not.toContain('toggleDevTools');
  });

  it('opens the library and models folders', () => {
    const menu = menuTemplate('linux', { developer: false, actions });
    const click = (item: MenuItemConstructorOptions | undefined) => (item?.click as (() => void) | undefined)?.();
    click(submenu(menu[0])?.[0]);
    click(submenu(menu[4])?.[0]);
    expect(calls).toEqual(['library', 'models']);
  });
});
