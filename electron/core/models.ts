/**
 * Where models are: the embedded one, the models folder's, and the folders the user added in settings. Each has
 * a stable id (the renderer never sends paths for generation). Runtime: main-side Node.
 */
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The model that ships with the studio (resources/models/studio-shapes). */
export const EMBEDDED_MODEL = fileURLToPath(new URL('../../resources/models/studio-shapes', import.meta.url));
export const EMBEDDED_MODEL_ID = 'embedded';

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

/** A model's id: derived from its absolute path, so the same folder keeps its id across restarts. */
export function modelId(path: string): string {
  if (path === EMBEDDED_MODEL) return EMBEDDED_MODEL_ID;
  return `m-${createHash('sha256').update(resolve(path)).digest('hex').slice(0, 12)}`;
}
