/**
 * A real Studio (embedded model, a fresh library) behind a real web host, in a temporary folder that the tests
 * may also use (`dir`; the host serves the built renderer from `dir/renderer`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { JsonSettingsFile } from '../../../../electron/core/settings';
import { Studio } from '../../../../electron/core/studio';
import { startWebHost, type WebHost } from '../../../../electron/web/server';

export interface HostedStudio {
  readonly dir: string;
  readonly studio: Studio;
  readonly host: WebHost;
  stop(): Promise<void>;
}

export async function startHostedStudio(prefix: string): Promise<HostedStudio> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const studio = await Studio.open({
    libraryDir: path.join(dir, 'library'),
    settings: new JsonSettingsFile(path.join(dir, 'settings.json')),
    version: 'test',
    env: { STUDIO_MODELS: path.join(dir, 'models') },
  });
  const host = await startWebHost({ studio, rendererDir: path.join(dir, 'renderer') }).catch(async (error: unknown) => {
    await studio.close();
    throw error;
  });
  return {
    dir,
    studio,
    host,
    async stop() {
      await host.close();
      await studio.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
