/**
 * `studio start`'s decision (electron/cli/commands/start.ts): the Electron app where its binary is installed,
 * the web host where it is not; the binary found as the electron package finds it, over real folders.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../../electron/cli/command';
import { findElectron, planStart, type StartOptions } from '../../../../electron/cli/commands/start';

let dir: string;

/** An electron package folder: path.txt naming the executable, and dist/ holding it (or not). */
async function electronPackage(name: string, options: { pathTxt: boolean; binary: boolean; executable?: boolean }): Promise<string> {
  const pkg = path.join(dir, name);
  await mkdir(path.join(pkg, 'dist'), { recursive: true });
  if (options.pathTxt) await writeFile(path.join(pkg, 'path.txt'), 'electron');
  if (options.binary) {
    await writeFile(path.join(pkg, 'dist', 'electron'), '#!/bin/sh\n');
    await chmod(path.join(pkg, 'dist', 'electron'), options.executable === false ? 0o644 : 0o755);
  }
  return pkg;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'studio-start-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('findElectron', () => {
  it('finds the binary that path.txt names in dist/', async () => {
    const pkg = await electronPackage('installed', { pathTxt: true, binary: true });
    expect(await findElectron(pkg, {})).toEqual({ found: true, binary: path.join(pkg, 'dist', 'electron') });
  });

  it('reports a package whose download never happened, or whose binary is gone or not executable', async () => {
    expect(await findElectron(await electronPackage('never', { pathTxt: false, binary: false }), {})).toMatchObject({ found: false, reason: expect.stringMatching(/not installed \(`npx install-electron` downloads it\)/) });
    expect(await findElectron(await electronPackage('gone', { pathTxt: true, binary: false }), {})).toMatchObject({ found: false, reason: expect.stringMatching(/missing/) });
    expect(await findElectron(await electronPackage('plain', { pathTxt: true, binary: true, executable: false }), {})).toMatchObject({ found: false });
    expect(await findElectron(undefined, {})).toEqual({ found: false, reason: 'the electron package is not installed' });
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH as the electron package does', async () => {
    const pkg = await electronPackage('override', { pathTxt: true, binary: false });
    const other = await electronPackage('elsewhere', { pathTxt: false, binary: true });
    expect(await findElectron(pkg, { ELECTRON_OVERRIDE_DIST_PATH: path.join(other, 'dist') })).toEqual({ found: true, binary: path.join(other, 'dist', 'electron') });
    expect(await findElectron(pkg, { ELECTRON_OVERRIDE_DIST_PATH: path.join(dir, 'empty') })).toMatchObject({ found: false, reason: expect.stringMatching(/ELECTRON_OVERRIDE_DIST_PATH/) });
  });
});

describe('planStart', () => {
  const installed = { found: true, binary: '/x/dist/electron' } as const;
  const missing = { found: false, reason: "Electron's binary is not installed" } as const;
  const options = (overrides: Partial<StartOptions> = {}): StartOptions => ({ web: false, build: true, port: undefined, library: undefined, ...overrides });

  it('builds everything and runs Electron where it is installed', () => {
    expect(planStart(installed, options())).toEqual({ mode: 'electron', binary: '/x/dist/electron', builds: ['build:renderer', 'build:main'], env: {} });
    expect(planStart(installed, options({ library: '/lib', build: false }))).toEqual({ mode: 'electron', binary: '/x/dist/electron', builds: [], env: { STUDIO_LIBRARY: '/lib' } });
  });

  it('builds the renderer and serves it where Electron is missing, saying why', () => {
    expect(planStart(missing, options({ port: '8080', library: '/lib' }))).toEqual({
      mode: 'web',
      reason: "Electron's binary is not installed",
      builds: ['build:renderer'],
      serveArgs: ['--port', '8080', '--library', '/lib'],
    });
  });

  it('serves with --web even where Electron is installed, and refuses --port for the app', () => {
    expect(planStart(installed, options({ web: true, build: false }))).toEqual({ mode: 'web', reason: '--web was given', builds: [], serveArgs: [] });
    expect(() => planStart(installed, options({ port: '8080' }))).toThrow(UsageError);
  });
});
