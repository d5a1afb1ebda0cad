import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { defaultSecretFile, FileSecretStore } from '../../../../electron/sync/index';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'studio-secrets-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

it('keeps one secret in a file only its owner can read, replaced whole, and forgets it', async () => {
  const file = path.join(dir, 'new-folder', 'session.json');
  const store = new FileSecretStore(file);
  expect(await store.status()).toMatchObject({ protection: 'owner-only-file' });
  expect(await store.read()).toBeNull();
  await store.write('first secret');
  await store.write('second secret');
  expect(await store.read()).toBe('second secret');
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
  // No temporary file is left beside it.
  expect(await readdir(path.dirname(file))).toEqual(['session.json']);
  await store.clear();
  await store.clear();
  expect(await store.read()).toBeNull();
});

it('lives in STUDIO_SECRETS or the per-user config folder, never the library', () => {
  expect(defaultSecretFile({ STUDIO_SECRETS: '/tmp/x/s.json' })).toBe('/tmp/x/s.json');
  if (process.platform === 'linux') expect(defaultSecretFile({ XDG_CONFIG_HOME: '/home/u/.config' })).toBe('/home/u/.config/Studio/platform-session.json');
});
