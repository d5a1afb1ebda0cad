/**
 * A real Studio (library, queue, engine process with the embedded model) and its web host, in this process, on a
 * fresh temporary folder: what `studio serve` runs, opened in a way a test can restart and clean up.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createStudioClient, type StudioClient } from '../../../electron/contract';
import { JsonSettingsFile } from '../../../electron/core/settings';
import { Studio } from '../../../electron/core/studio';
import { startWebHost, type WebHost } from '../../../electron/web/server';

export interface StudioUnderTest {
  /** The temporary folder (settings, models folder, and the library unless one was given); removed by `close`. */
  readonly dir: string;
  readonly libraryDir: string;
  /** The page to open, session token included; the same across `restart`. */
  readonly url: string;
  readonly studio: Studio;
  /** The typed contract client over the running Studio: replies are checked as the renderer's are. */
  readonly client: StudioClient;
  /** The Studio's and the web host's error log lines since the last call. */
  takeErrors(): string[];
  /** Closes the web host and the Studio, then opens both again on the same library, port and token. */
  restart(): Promise<void>;
  /** Stops everything and removes the temporary folder; safe to call twice and after a failed start. */
  close(): Promise<void>;
}

export interface StudioOptions {
  readonly rendererDir: string;
  /** An existing library to serve (left in place by `close`); default: a new one in the temporary folder. */
  readonly libraryDir?: string;
  /** The platform to sign in and publish to (a reference platform the test started); its session is kept in the temporary folder. */
  readonly platformUrl?: string;
}

export async function startStudio(options: StudioOptions): Promise<StudioUnderTest> {
  const dir = await mkdtemp(path.join(tmpdir(), 'studio-e2e-'));
  const libraryDir = options.libraryDir ?? path.join(dir, 'library');
  // An empty models folder and a platform session file of its own: nothing of this machine's user is seen or
  // touched.
  const env = { STUDIO_MODELS: path.join(dir, 'models'), STUDIO_SECRETS: path.join(dir, 'platform-session.json') };
  await mkdir(env.STUDIO_MODELS);
  let errors: string[] = [];
  const settings = new JsonSettingsFile(path.join(dir, 'settings.json'));
  let studio: Studio | undefined;
  let host: WebHost | undefined;

  const open = async (port: number, token: string | undefined) => {
    studio = await Studio.open({
      libraryDir,
      settings,
      version: 'e2e',
      env,
      ...(options.platformUrl === undefined ? {} : { platform: { url: options.platformUrl } }),
      log: (level, message) => {
        if (level === 'error') errors.push(message);
      },
    });
    host = await startWebHost({
      studio,
      rendererDir: options.rendererDir,
      port,
      ...(token === undefined ? {} : { token }),
      log: (level, message) => {
        if (level === 'error') errors.push(message);
      },
    });
    return host;
  };
  const stop = async () => {
    const [h, s] = [host, studio];
    host = undefined;
    studio = undefined;
    await h?.close();
    await s?.close();
  };

  let first: WebHost;
  try {
    first = await open(0, undefined);
  } catch (error) {
    await stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const { url, port, token } = first;
  let closed = false;
  const running = () => {
    if (studio === undefined) throw new Error('the Studio is not running');
    return studio;
  };
  const client = createStudioClient(
    { call: (name, input) => running().dispatch(name, input), subscribe: (listener) => running().subscribe((e) => listener(e.name, e.payload)) },
    { fileUrl: (relative) => relative },
  );

  return {
    dir,
    libraryDir,
    url,
    takeErrors: () => {
      const taken = errors;
      errors = [];
      return taken;
    },
    get studio() {
      return running();
    },
    client,
    restart: async () => {
      await stop();
      await open(port, token);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await stop();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
