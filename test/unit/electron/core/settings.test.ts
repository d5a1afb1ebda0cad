import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../../../electron/contract';
import { JsonSettingsFile } from '../../../../electron/core/settings';

const dirs: string[] = [];
afterEach(async () => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));
async function tempDir() {
  const dir = await mkdtemp(path.join(tmpdir(), 'studio-settings-'));
  dirs.push(dir);
  return dir;
}

describe('JsonSettingsFile', () => {
  it('starts from the defaults and reads back what it saved, leaving no temporary file', async () => {
    const dir = await tempDir();
    const store = new JsonSettingsFile(path.join(dir, 'config', 'settings.json'));
    expect(await store.load()).toEqual(DEFAULT_SETTINGS);
    const changed: Settings = { ...DEFAULT_SETTINGS, executionProvider: 'cpu', modelFolders: ['/models/sd15'], defaults: { ...DEFAULT_SETTINGS.defaults, steps: 30 } };
    await store.save(changed);
    expect(await new JsonSettingsFile(store.file).load()).toEqual(changed);
    expect(await readdir(path.join(dir, 'config'))).toEqual(['settings.json']);
  });

  it('moves a file it cannot read aside, keeps it, and uses the defaults', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'settings.json');
    await writeFile(file, '{"executionProvider": "quantum"}');
    const warnings: string[] = [];
    expect(await new JsonSettingsFile(file, (_l, m) => warnings.push(m)).load()).toEqual(DEFAULT_SETTINGS);
    const aside = (await readdir(dir)).find((n) => n.startsWith('settings.json.invalid-'));
    expect(aside).toBeDefined();
    expect(await readFile(path.join(dir, aside ?? ''), 'utf8')).toContain('quantum');
    expect(warnings[0]).toMatch(/moved to/);
  });

  it('refuses to save settings that break the contract', async () => {
    const store = new JsonSettingsFile(path.join(await tempDir(), 'settings.json'));
    await expect(store.save({ ...DEFAULT_SETTINGS, language: 'klingon' } as unknown as Settings)).rejects.toThrow();
  });
});
