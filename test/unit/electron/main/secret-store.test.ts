/**
 * The platform session kept with safeStorage (electron/main/secret-store.ts). Electron's safeStorage cannot run
 * here; it is stood in for by real AES-256-GCM with a key of the test's own, with the same asynchronous API and
 * the Linux keyring report, so that what reaches the disk is really ciphertext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafeStorageSecretStore, type SafeStorageLike } from '../../../../electron/main/secret-store';
import { PlatformError } from '../../../../electron/sync/errors';

class KeyringStandIn implements SafeStorageLike {
  key = randomBytes(32);
  backend = 'gnome_libsecret';
  available = true;
  rotated = false;

  async isAsyncEncryptionAvailable() {
    return this.available;
  }
  async encryptStringAsync(plainText: string) {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }
  async decryptStringAsync(encrypted: Buffer) {
    const decipher = createDecipheriv('aes-256-gcm', this.key, encrypted.subarray(0, 12));
    decipher.setAuthTag(encrypted.subarray(12, 28));
    const result = Buffer.concat([decipher.update(encrypted.subarray(28)), decipher.final()]).toString('utf8');
    return { result, shouldReEncrypt: this.rotated };
  }
  getSelectedStorageBackend() {
    return this.backend;
  }
}

const SECRET = 'refresh-token-3f9a0c7d1e';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'studio-secrets-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('SafeStorageSecretStore', () => {
  it('keeps the secret encrypted, in a file only its owner can read, and reads it back', async () => {
    const file = path.join(dir, 'a', 'session.json');
    const keyring = new KeyringStandIn();
    const store = new SafeStorageSecretStore(file, keyring, 'linux');
    expect(await store.status()).toMatchObject({ protection: 'encrypted' });
    expect(await store.read()).toBeNull();
    await store.write(SECRET);
    const onDisk = await readFile(file, 'utf8');
    expect(onDisk).not.toContain(SECRET);
    expect(JSON.parse(onDisk)).toMatchObject({ kind: 'safeStorage' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await store.read()).toBe(SECRET);
    await store.clear();
    expect(await store.read()).toBeNull();
    await store.clear();
  });

  it('on Linux without a keyring (basic_text) reports unavailable and refuses plain text unless allowed', async () => {
    const file = path.join(dir, 'b', 'session.json');
    const keyring = new KeyringStandIn();
    keyring.backend = 'basic_text';
    const store = new SafeStorageSecretStore(file, keyring, 'linux');
    const status = await store.status();
    expect(status.protection).toBe('unavailable');
    expect(status.detail).toMatch(/keyring/);
    const refused = await store.write(SECRET).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PlatformError);
    expect(refused).toMatchObject({ code: 'SECRET_STORE_UNAVAILABLE' });
    expect(String((refused as Error).message)).not.toContain(SECRET);
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });

    await store.write(SECRET, { allowUnprotected: true });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ kind: 'plain', data: SECRET });
    expect(await store.read()).toBe(SECRET);
  });

  it('reads the keyring report on Linux only', async () => {
    const keyring = new KeyringStandIn();
    keyring.backend = 'basic_text';
    expect((await new SafeStorageSecretStore(path.join(dir, 'mac.json'), keyring, 'darwin').status()).protection).toBe('encrypted');
    keyring.available = false;
    expect((await new SafeStorageSecretStore(path.join(dir, 'win.json'), keyring, 'win32').status()).protection).toBe('unavailable');
  });

  it('re-encrypts when the keyring asks, and forgets a secret it cannot decrypt or parse', async () => {
    const file = path.join(dir, 'c', 'session.json');
    const keyring = new KeyringStandIn();
    const store = new SafeStorageSecretStore(file, keyring, 'linux');
    await store.write(SECRET);
    const before = await readFile(file, 'utf8');
    keyring.rotated = true;
    expect(await store.read()).toBe(SECRET);
    expect(await readFile(file, 'utf8')).not.toBe(before);

    keyring.key = randomBytes(32);
    expect(await store.read()).toBeNull();
    await writeFile(file, '{"kind":"safeStorage","data":"not base64!"}');
    expect(await store.read()).toBeNull();
    await writeFile(file, 'garbage');
    expect(await store.read()).toBeNull();
  });
});
