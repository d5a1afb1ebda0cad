/**
 * The platform session kept with Electron's safeStorage (the macOS Keychain, DPAPI on Windows, libsecret or
 * KWallet on Linux), in a 0600 file replaced atomically (FileSecretStore holds the envelope).
 *
 * Never plain text silently: on Linux without a keyring Chromium falls back to a hard-coded key
 * (`basic_text`), which protects nothing. There, and wherever encryption is unavailable, `status()` says
 * `unavailable` so the UI warns and asks, and `write()` refuses unless the user agreed to plain text — then the
 * envelope says so, and a later read knows it was never encrypted.
 *
 * Runtime: Electron main (no Electron import: safeStorage is injected).
 */
import { z } from 'zod';
import { PlatformError } from '../sync/errors';
import { FileSecretStore, type SecretStore, type SecretStoreStatus, type SecretWriteOptions } from '../sync/secrets';

/** The part of Electron's safeStorage used here (its asynchronous API). */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ readonly result: string; readonly shouldReEncrypt: boolean }>;
  /** Linux only: which keyring Chromium chose. */
  getSelectedStorageBackend(): string;
}

const Envelope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('safeStorage'), data: z.base64() }),
  z.object({ kind: z.literal('plain'), data: z.string() }),
]);
type Envelope = z.infer<typeof Envelope>;

export class SafeStorageSecretStore implements SecretStore {
  private readonly file: FileSecretStore;

  constructor(
    path: string,
    private readonly safeStorage: SafeStorageLike,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {
    this.file = new FileSecretStore(path);
  }

  async status(): Promise<SecretStoreStatus> {
    if (this.platform === 'linux' && this.safeStorage.getSelectedStorageBackend() === 'basic_text') {
      return {
        protection: 'unavailable',
        detail: 'No keyring (GNOME Keyring or KWallet) is running, so your sign-in cannot be encrypted; it is kept only with your permission, in a file only your account can read.',
      };
    }
    if (!(await this.safeStorage.isAsyncEncryptionAvailable())) {
      return { protection: 'unavailable', detail: "The system's encryption is not available, so your sign-in is kept only with your permission, in plain text." };
    }
    return { protection: 'encrypted', detail: "Encrypted with your system's keychain." };
  }

  async read(): Promise<string | null> {
    const text = await this.file.read();
    if (text === null) return null;
    let envelope: Envelope;
    try {
      envelope = Envelope.parse(JSON.parse(text));
    } catch {
      return null;
    }
    if (envelope.kind === 'plain') return envelope.data;
    try {
      const { result, shouldReEncrypt } = await this.safeStorage.decryptStringAsync(Buffer.from(envelope.data, 'base64'));
      if (shouldReEncrypt) await this.write(result);
      return result;
    } catch {
      // Another user's keyring, or a key that was reset: the session is lost, not broken.
      return null;
    }
  }

  async write(secret: string, options: SecretWriteOptions = {}): Promise<void> {
    const { protection } = await this.status();
    let envelope: Envelope;
    if (protection === 'encrypted') {
      envelope = { kind: 'safeStorage', data: (await this.safeStorage.encryptStringAsync(secret)).toString('base64') };
    } else if (options.allowUnprotected === true) {
      envelope = { kind: 'plain', data: secret };
    } else {
      throw new PlatformError('SECRET_STORE_UNAVAILABLE', 'Your sign-in cannot be encrypted on this system; allow keeping it unencrypted, or sign in again each time.');
    }
    await this.file.write(JSON.stringify(envelope));
  }

  clear(): Promise<void> {
    return this.file.clear();
  }
}
