/**
 * `studio serve`: the studio in a browser — the web host over the Studio core, until Ctrl-C. Prints the URL
 * (with its session token) on stdout. Runtime: Node (CLI).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveLibraryDir } from '../../../db/index';
import { JsonSettingsFile } from '../../core/settings';
import { Studio } from '../../core/studio';
import { startWebHost } from '../../web/server';
import { UsageError, type CliCommand, type CliIo } from '../command';

/** Where a build of the renderer lands (the renderer's build writes here). */
export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../../out/renderer', import.meta.url));

const USAGE = `Usage: studio serve [--port <n>] [--library <dir>] [--renderer <dir>]

Serves the studio to a browser on this machine (127.0.0.1 only) and prints the link to open; the link carries a
session token, new for each run, without which nothing is served.

Options:
  --port <n>        the port (default: any free one)
  --library <dir>   the library folder (default: STUDIO_LIBRARY, the settings, or the per-user folder)
  --renderer <dir>  the built interface (default: out/renderer)

Settings are kept in STUDIO_SETTINGS, else the per-user config folder (Studio/settings.json).`;

/** The settings file: STUDIO_SETTINGS, else the platform's per-user config folder. */
export function settingsFile(env: NodeJS.ProcessEnv): string {
  if (env['STUDIO_SETTINGS']) return resolve(env['STUDIO_SETTINGS']);
  const home = homedir();
  if (process.platform === 'win32') return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'Studio', 'settings.json');
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'Studio', 'settings.json');
  return join(env['XDG_CONFIG_HOME'] ?? join(home, '.config'), 'Studio', 'settings.json');
}

function parse(args: readonly string[], io: CliIo) {
  let values;
  try {
    ({ values } = parseArgs({ args: [...args], options: { port: { type: 'string' }, library: { type: 'string' }, renderer: { type: 'string' } } }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (values.port !== undefined && (!/^\d+$/.test(values.port) || port < 1 || port > 65535)) {
    throw new UsageError(`--port must be a whole number from 1 to 65535, got "${values.port}"`);
  }
  return {
    port,
    library: values.library === undefined ? undefined : resolve(io.cwd, values.library),
    renderer: values.renderer === undefined ? DEFAULT_RENDERER_DIR : resolve(io.cwd, values.renderer),
  };
}

async function version(): Promise<string> {
  const json = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof json.version === 'string' ? json.version : '0.0.0';
}

/** Resolves when the process is asked to stop (Ctrl-C, or SIGTERM from a service manager or a test). */
function stopRequested(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Serve the studio to a browser on this machine (prints the link)',
  usage: USAGE,
  async run(args, io) {
    const options = parse(args, io);
    const settings = new JsonSettingsFile(settingsFile(io.env), (_level, message) => io.stderr.write(`studio serve: ${message}\n`));
    const saved = await settings.load();
    // --library, then STUDIO_LIBRARY, then the settings, then the platform's default.
    const flag = options.library ?? (io.env['STUDIO_LIBRARY'] ? undefined : (saved.libraryDir ?? undefined));
    const libraryDir = resolve(io.cwd, resolveLibraryDir(flag, io.env, process.platform, homedir()));
    const studio = await Studio.open({
      libraryDir,
      settings,
      version: await version(),
      env: io.env,
      log: (level, message) => {
        if (level !== 'info') io.stderr.write(`studio serve: ${message}\n`);
      },
    });
    let host;
    try {
      host = await startWebHost({ studio, rendererDir: options.renderer, port: options.port, log: (_level, message) => io.stderr.write(`${message}\n`) });
    } catch (error) {
      await studio.close();
      throw error;
    }
    io.stderr.write(`Studio is serving the library in ${libraryDir}. Open this link in a browser on this machine (Ctrl-C stops it):\n`);
    io.stdout.write(`${host.url}\n`);
    await stopRequested();
    io.stderr.write('Stopping: finishing writes and stopping the engine…\n');
    await host.close();
    await studio.close();
    return 0;
  },
};
