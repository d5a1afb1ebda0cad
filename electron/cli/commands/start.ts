/**
 * `studio start` (`npm start`, the README's main job): the studio, the best way this machine can run it.
 * Where Electron's binary is installed, it builds the app (renderer, main, preload, engine) and runs it. Where it
 * is not — the electron package downloads it from GitHub on request, which not every machine can reach (CI, this
 * repository's machines) — it builds the renderer and serves the studio to a browser with the web host, printing
 * the link, exactly as `studio serve` does.
 *
 * The binary is looked for the way the electron package itself finds it (path.txt, then dist/), without
 * requiring the package: its index.js starts a download when the binary is missing.
 *
 * Runtime: Node (CLI).
 */
import { spawn } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError, type CliCommand, type CliIo } from '../command';
import { serveCommand } from './serve';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));
/** The Electron app's entry, as vite.main.config.ts builds it. */
export const ELECTRON_MAIN = join(REPOSITORY, 'out', 'main', 'index.mjs');

export type ElectronInstall = { readonly found: true; readonly binary: string } | { readonly found: false; readonly reason: string };

async function executable(file: string): Promise<boolean> {
  try {
    await fs.access(file, constants.X_OK);
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * Electron's binary from its package folder (undefined: the package is not installed): `path.txt` names the
 * executable inside `dist/` (or inside ELECTRON_OVERRIDE_DIST_PATH, as electron's own index.js honours).
 */
export async function findElectron(packageDir: string | undefined, env: NodeJS.ProcessEnv): Promise<ElectronInstall> {
  if (packageDir === undefined) return { found: false, reason: 'the electron package is not installed' };
  let name: string | undefined;
  try {
    name = (await fs.readFile(join(packageDir, 'path.txt'), 'utf8')).trim() || undefined;
  } catch {
    name = undefined;
  }
  const override = env['ELECTRON_OVERRIDE_DIST_PATH'];
  if (override) {
    const binary = join(override, name ?? 'electron');
    return (await executable(binary)) ? { found: true, binary } : { found: false, reason: `ELECTRON_OVERRIDE_DIST_PATH has no Electron binary (${binary})` };
  }
  if (name === undefined) return { found: false, reason: "Electron's binary is not installed (`npx install-electron` downloads it)" };
  const binary = join(packageDir, 'dist', name);
  return (await executable(binary)) ? { found: true, binary } : { found: false, reason: `Electron's binary is missing (${binary})` };
}

/** The installed electron package's folder, found without loading it. */
export function electronPackageDir(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

export interface StartOptions {
  /** --web: the web host even where Electron is installed. */
  readonly web: boolean;
  /** --no-build: run what is already in out/. */
  readonly build: boolean;
  readonly port: string | undefined;
  readonly library: string | undefined;
}

export type StartPlan =
  | { readonly mode: 'electron'; readonly binary: string; readonly builds: readonly string[]; readonly env: Readonly<Record<string, string>> }
  | { readonly mode: 'web'; readonly reason: string; readonly builds: readonly string[]; readonly serveArgs: readonly string[] };

/** What `start` does, decided from what is installed and the options. */
export function planStart(electron: ElectronInstall, options: StartOptions): StartPlan {
  if (!electron.found || options.web) {
    return {
      mode: 'web',
      reason: electron.found ? '--web was given' : electron.reason,
      builds: options.build ? ['build:renderer'] : [],
      serveArgs: [...(options.port === undefined ? [] : ['--port', options.port]), ...(options.library === undefined ? [] : ['--library', options.library])],
    };
  }
  if (options.port !== undefined) throw new UsageError('--port is for the web host; add --web to use it');
  return {
    mode: 'electron',
    binary: electron.binary,
    builds: options.build ? ['build:renderer', 'build:main'] : [],
    env: options.library === undefined ? {} : { STUDIO_LIBRARY: options.library },
  };
}

const USAGE = `Usage: studio start [--web] [--no-build] [--library <dir>] [--port <n>]

Builds and opens the studio: the Electron app where Electron's binary is installed, else the web host (as
\`studio serve\`), whose link it prints.

Options:
  --web             serve to a browser even where Electron is installed
  --no-build        run the current build in out/ without building first
  --library <dir>   the library folder (default: STUDIO_LIBRARY, the settings, or the per-user folder)
  --port <n>        the web host's port (default: any free one)`;

function parse(args: readonly string[]): StartOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { web: { type: 'boolean', default: false }, 'no-build': { type: 'boolean', default: false }, port: { type: 'string' }, library: { type: 'string' } },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return { web: values.web, build: !values['no-build'], port: values.port, library: values.library };
}

/** Runs a process to its end, its output on our stderr (stdout carries only the link); resolves with its exit code. */
function run(command: string, args: readonly string[], io: CliIo, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd: REPOSITORY, env, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' && command === 'npm' });
    child.stdout.pipe(io.stderr, { end: false });
    child.stderr.pipe(io.stderr, { end: false });
    // Ctrl-C reaches the child too (same process group): it quits cleanly and we report how it ended.
    const ignore = () => undefined;
    process.on('SIGINT', ignore);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      process.off('SIGINT', ignore);
      resolve(code ?? 128 + (signal === null ? 0 : osConstants.signals[signal]));
    });
  });
}

/** `npm run <script>`: through the npm that started us when there is one (npm start), else the one on PATH. */
function npmRun(script: string, io: CliIo): Promise<number> {
  const npm = io.env['npm_execpath'];
  return npm ? run(process.execPath, [npm, 'run', script], io, io.env) : run('npm', ['run', script], io, io.env);
}

export const startCommand: CliCommand = {
  name: 'start',
  summary: 'Build and open the studio: the Electron app, or the web host where Electron is not installed',
  usage: USAGE,
  async run(args, io) {
    const options = parse(args);
    const plan = planStart(await findElectron(electronPackageDir(), io.env), options);
    if (plan.mode === 'web') io.stderr.write(`Starting the web host: ${plan.reason}.\n`);
    for (const script of plan.builds) {
      const code = await npmRun(script, io);
      if (code !== 0) {
        io.stderr.write(`studio start: \`npm run ${script}\` failed (exit code ${code}).\n`);
        return 1;
      }
    }
    if (plan.mode === 'web') return serveCommand.run(plan.serveArgs, io);
    return run(plan.binary, [ELECTRON_MAIN], io, { ...io.env, ...plan.env });
  },
};
