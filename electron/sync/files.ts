/**
 * Small files the sync module keeps (the session, the companion cache, the prompt template): written with the
 * library's atomic write (db/files.ts: temporary file with the final permissions, fsync, rename, fsync of the
 * folder), so a crash leaves the old content or the new, never a mix. Runtime: main-side Node.
 */
import { promises as fs } from 'node:fs';

export { writeFileAtomic } from '../../db/index';

/** The file's text, or null when it does not exist. */
export async function readFileIfAny(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return null;
    throw error;
  }
}
