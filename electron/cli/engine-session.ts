/**
 * Shared by the CLI's commands: where models are, and an engine process for the length of one command.
 * Runtime: Node (CLI).
 */
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineHost, forkEngine } from '../core/engine/host';
import type { CliIo } from './command';

/** The model that ships with the studio (resources/models/studio-shapes). */
export const EMBEDDED_MODEL = fileURLToPath(new URL('../../resources/models/studio-shapes', import.meta.url));

/** Where the user's own models live: STUDIO_MODELS, else a per-user folder. */
export function modelsFolder(env: NodeJS.ProcessEnv): string {
  if (env['STUDIO_MODELS']) return resolve(env['STUDIO_MODELS']);
  const home = homedir();
  if (process.platform === 'win32') return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'Studio', 'models');
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'Studio', 'models');
  return join(env['XDG_DATA_HOME'] ?? join(home, '.local', 'share'), 'Studio', 'models');
}

/** The embedded model, then every folder of the models folder that has a model_index.json. */
export async function findModels(env: NodeJS.ProcessEnv): Promise<readonly string[]> {
  const found = [EMBEDDED_MODEL];
  const root = modelsFolder(env);
  let entries: string[] = [];
  try {
    entries = await readdir(root);
  } catch {
    return found;
  }
  for (const entry of entries.sort()) {
    try {
      if ((await stat(join(root, entry, 'model_index.json'))).isFile()) found.push(join(root, entry));
    } catch {
      // not a model folder
    }
  }
  return found;
}

/** Runs `work` with a started engine, and always stops it. Engine warnings go to stderr. */
export async function withEngine<T>(io: CliIo, work: (engine: EngineHost) => Promise<T>): Promise<T> {
  const engine = new EngineHost(forkEngine(io.env), (level, message) => {
    if (level !== 'info') io.stderr.write(`engine: ${message}\n`);
  });
  try {
    await engine.ready;
    return await work(engine);
  } finally {
    await engine.stop().catch(() => undefined);
  }
}
