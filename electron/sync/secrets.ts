/**
 * Where the platform session (its refresh token) is kept between runs, behind one interface:
 *
 * - on the desktop, electron/main implements it with Electron's safeStorage (the OS keychain, DPAPI, or
 *   libsecret/kwallet on Linux). When safeStorage cannot encrypt — a Linux session without a keyring, where
 *   Chromium would silently fall back to a hard-coded key (`basic_text`) — its `status()` says `unavailable`
 *   and `write()` refuses unless the user agreed to plain text: the UI warns and asks (`getAccount` carries the
 *   status), and without consent the session lives in memory only;
 * - in web and CLI mode, `FileSecretStore`: a file only its owner can read (0600), written atomically.
 *
 * Runtime: main-side Node (the interface is also implemented in electron/main).
 */
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { readFileIfAny, writeFileAtomic } from './files';

/**
 * How a store protects what it keeps: `encrypted` by the OS (safeStorage with a keyring), `owner-only-file`
 * (a 0600 file: readable by the user's other programs, not by other users), or `unavailable` (it can only
 * write plain text, and does so only when the user allowed it).
 */
export type SecretProtection = 'encrypted' | 'owner-only-file' | 'unavailable';

export interface SecretStoreStatus {
  readonly protection: SecretProtection;
  /** One sentence for the user: where secrets go, or why they cannot be protected. */
  readonly detail: string;
}

export interface SecretWriteOptions {
  /** The user agreed to keep the secret although the store cannot protect it (`unavailable`). */
  readonly allowUnprotected?: boolean;
}

export interface SecretStore {
  status(): Promise<SecretStoreStatus>;
  /** The kept secret, or null when there is none (or it cannot be read back, e.g. another user's keyring). */
  read(): Promise<string | null>;
  /** Keeps `secret`, replacing the previous one; throws SECRET_STORE_UNAVAILABLE when unprotected and not allowed. */
  write(secret: string, options?: SecretWriteOptions): Promise<void>;
  /** Forgets the secret. Idempotent. */
  clear(): Promise<void>;
}

/** A secret in a file that only its owner may read or write (0600), replaced atomically (files.ts). */
export class FileSecretStore implements SecretStore {
  constructor(readonly file: string) {}

  async status(): Promise<SecretStoreStatus> {
    return { protection: 'owner-only-file', detail: `Kept in ${this.file}, readable by your user account only.` };
  }

  async read(): Promise<string | null> {
    const text = await readFileIfAny(this.file);
    return text === '' ? null : text;
  }

  /** 0600 from creation (the temporary file is made with it), in a folder made 0700 when it is new. */
  async write(secret: string): Promise<void> {
    await writeFileAtomic(this.file, secret, { mode: 0o600 });
  }

  async clear(): Promise<void> {
    await fs.rm(this.file, { force: true });
  }
}

/**
 * Where web and CLI mode keep the session: STUDIO_SECRETS, else `platform-session.json` in the per-user config
 * folder next to the settings (never in the library folder, which users copy and sync).
 */
export function defaultSecretFile(env: NodeJS.ProcessEnv): string {
  if (env['STUDIO_SECRETS']) return path.resolve(env['STUDIO_SECRETS']);
  const home = homedir();
  const config =
    process.platform === 'win32'
      ? (env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming'))
      : process.platform === 'darwin'
        ? path.join(home, 'Library', 'Application Support')
        : (env['XDG_CONFIG_HOME'] ?? path.join(home, '.config'));
  return path.join(config, 'Studio', 'platform-session.json');
}
