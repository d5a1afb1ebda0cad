/**
 * `npm start` where Electron's binary is missing, as a user runs it: a real process that finds no binary,
 * serves the studio with the web host and prints its link, answers on it, and stops cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

const STUDIO = fileURLToPath(new URL('../../../electron/cli/studio.js', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'studio-start-'));
  await mkdir(path.join(dir, 'no-electron'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it('serves the studio with the web host where Electron is missing, and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, [STUDIO, 'start', '--no-build', '--library', path.join(dir, 'library')], {
    cwd: dir,
    env: {
      ...process.env,
      // Whatever this machine has installed, the electron package is told its binary lives in an empty folder.
      ELECTRON_OVERRIDE_DIST_PATH: path.join(dir, 'no-electron'),
      STUDIO_SETTINGS: path.join(dir, 'settings.json'),
      STUDIO_MODELS: path.join(dir, 'models'),
      STUDIO_THREADS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) resolve(stdout.trim());
    });
    void exited.then((code) => reject(new Error(`studio start exited (${code}) before printing a link: ${stderr}`)));
  });
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/);
  expect(stderr).toMatch(/Starting the web host: ELECTRON_OVERRIDE_DIST_PATH has no Electron binary/);
  const page = await fetch(url);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect((await fetch(new URL(url).origin)).status).toBe(403);

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(stderr).toMatch(/finishing writes and stopping the engine/);
});
