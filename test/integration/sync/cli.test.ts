/** `studio login | publish | logout` as a script uses them, against the reference platform. */
import { Readable, Writable } from 'node:stream';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../../../electron/cli/cli';
import { loginCommand } from '../../../electron/cli/commands/platform';
import type { CliIo } from '../../../electron/cli/command';
import { addImages, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

function io(extraEnv: Record<string, string> = {}): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  return {
    stdout: sink((t) => (out += t)),
    stderr: sink((t) => (err += t)),
    env: { STUDIO_PLATFORM_URL: h.platform.url, STUDIO_SECRETS: path.join(h.dir, 'cli-session.json'), STUDIO_LIBRARY: h.library.dir, ...extraEnv },
    cwd: h.dir,
    out: () => out,
    err: () => err,
  };
}

it('signs in with the password on stdin, publishes by id, and signs out', async () => {
  const [imageId = 0, other = 0] = await addImages(h.library, 2, { first: 900 });
  // The library is open in this process already (the harness); the CLI opens its own handle, as a second process would.
  const login = io();
  expect(await loginCommand(Readable.from(['studio-dev\n'])).run(['--email', 'carol@example.com'], login)).toBe(0);
  expect(login.out()).toMatch(/^Signed in as Carol \(Studio plan, 5000 tokens\)\./);

  const publish = io();
  expect(await runCli(['publish', String(imageId), String(other)], publish)).toBe(0);
  const lines = publish.out().trim().split('\n').map((line) => line.split('\t'));
  expect(lines.map((l) => [l[0], l[1]])).toEqual([
    [String(imageId), 'published'],
    [String(other), 'published'],
  ]);
  expect(lines.every((l) => /^img_/.test(l[2] ?? ''))).toBe(true);

  expect(await runCli(['publish', 'twelve'], io())).toBe(2);
  const logout = io();
  expect(await runCli(['logout'], logout)).toBe(0);
  const after = io();
  expect(await runCli(['publish', String((await addImages(h.library, 1, { first: 950 }))[0])], after)).toBe(1);
  expect(after.err()).toMatch(/^studio publish: UNAUTHENTICATED: Sign in to the platform to publish\.\n$/);
  expect(login.out() + login.err() + publish.err() + after.err()).not.toContain('studio-dev');
});
