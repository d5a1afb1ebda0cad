import { fileURLToPath } from 'node:url';

/** The embedded default model, as the studio ships it. */
export const EMBEDDED_MODEL = fileURLToPath(new URL('../../resources/models/studio-shapes', import.meta.url));

/** Reference data shared by the project's tests (never copied into the repository). */
export const SHARED_DATA = fileURLToPath(new URL('../../../shared/data', import.meta.url));
