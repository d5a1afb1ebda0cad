/**
 * Where the library lives: `--library <dir>`, else `STUDIO_LIBRARY`, else the per-user data folder of the
 * platform. Pure (everything it depends on is an argument) so that each platform's default is testable anywhere.
 * A relative flag or variable is returned as given; the caller resolves it against its working directory.
 */
import path from 'node:path';

export function resolveLibraryDir(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
  home: string,
): string {
  if (flag !== undefined && flag.trim() !== '') return flag;
  const fromEnv = env.STUDIO_LIBRARY;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return fromEnv;
  switch (platform) {
    case 'win32': {
      const appData = env.APPDATA;
      const base = appData !== undefined && appData !== '' ? appData : path.win32.join(home, 'AppData', 'Roaming');
      return path.win32.join(base, 'Studio', 'library');
    }
    case 'darwin':
      return path.posix.join(home, 'Library', 'Application Support', 'Studio', 'library');
    default: {
      // XDG Base Directory: a relative XDG_DATA_HOME is invalid and must be ignored.
      const xdg = env.XDG_DATA_HOME;
      const base = xdg !== undefined && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.local', 'share');
      return path.posix.join(base, 'Studio', 'library');
    }
  }
}
