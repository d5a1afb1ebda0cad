/**
 * Where models are: the embedded one, the models folder's, and the folders the user added in settings. Each has
 * a stable id (the renderer never sends paths for generation). Runtime: main-side Node.
 */
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the embedded model is, seen from the module that asks: resources/models/studio-shapes of the checkout
 * (from electron/core, or from the Electron bundle in out/main, as deep), or, in a packaged app, the folder
 * electron-builder's extraResources puts beside app.asar — outside the archive, where onnxruntime's native code
 * can open the files.
 */
export function embeddedModelPath(moduleUrl: string): string {
  const file = fileURLToPath(moduleUrl);
  const packaged = /[\\/]app\.asar[\\/]/.exec(file);
  if (packaged !== null) return join(file.slice(0, packaged.index), 'models', 'studio-shapes');
  return fileURLToPath(new URL('../../resources/models/studio-shapes', moduleUrl));
}

/** The model that ships with the studio. */
export const EMBEDDED_MODEL = embeddedModelPath(import.meta.url);
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
