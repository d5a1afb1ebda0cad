import { describe, expect, it } from 'vitest';
import { resolveLibraryDir } from '../../../db/location';

describe('resolveLibraryDir', () => {
  it('prefers the --library flag, then STUDIO_LIBRARY', () => {
    expect(resolveLibraryDir('/flag', { STUDIO_LIBRARY: '/env' }, 'linux', '/home/ana')).toBe('/flag');
    expect(resolveLibraryDir(undefined, { STUDIO_LIBRARY: '/env' }, 'linux', '/home/ana')).toBe('/env');
    expect(resolveLibraryDir('  ', { STUDIO_LIBRARY: 'rel/lib' }, 'linux', '/home/ana')).toBe('rel/lib');
  });

  it('uses the XDG data folder on Linux, ignoring a relative XDG_DATA_HOME', () => {
    expect(resolveLibraryDir(undefined, {}, 'linux', '/home/ana')).toBe('/home/ana/.local/share/Studio/library');
    expect(resolveLibraryDir(undefined, { XDG_DATA_HOME: '/data' }, 'linux', '/home/ana')).toBe('/data/Studio/library');
    expect(resolveLibraryDir(undefined, { XDG_DATA_HOME: 'data' }, 'linux', '/home/ana')).toBe('/home/ana/.local/share/Studio/library');
  });

  it('uses Application Support on macOS and APPDATA on Windows', () => {
    expect(resolveLibraryDir(undefined, {}, 'darwin', '/Users/ana')).toBe('/Users/ana/Library/Application Support/Studio/library');
    expect(resolveLibraryDir(undefined, { APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ana')).toBe(
      'C:\\Users\\ana\\AppData\\Roaming\\Studio\\library',
    );
    expect(resolveLibraryDir(undefined, {}, 'win32', 'C:\\Users\\ana')).toBe('C:\\Users\\ana\\AppData\\Roaming\\Studio\\library');
  });
});
