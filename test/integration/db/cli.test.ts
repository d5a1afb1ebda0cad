import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError, type CliCommand, type CliIo } from '../../../electron/cli/command';
import { albumsCommand, importCommand, libraryCommand, searchCommand, trashCommand } from '../../../electron/cli/commands/library';
import { a1111Parameters, pngWithText, studioPng } from '../../fixtures/library/images';
import { tempDir } from './helpers';

async function run(command: CliCommand, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const io: CliIo = { stdout, stderr, env, cwd };
  const code = await command.run(args, io);
  return { code, out, err };
}

describe('library CLI commands', () => {
  it('imports, searches with filters, manages albums and the trash, and checks the library named by STUDIO_LIBRARY', async () => {
    const cwd = await tempDir('studio-cli-');
    const env = { STUDIO_LIBRARY: 'lib' };
    await mkdir(path.join(cwd, 'in'));
    await writeFile(path.join(cwd, 'in', 'fox.png'), await studioPng({ prompt: 'a red fox in the snow', negativePrompt: '', seed: 1 }));
    await writeFile(path.join(cwd, 'in', 'owl.png'), await pngWithText(2, [{ type: 'tEXt', keyword: 'parameters', text: a1111Parameters({ prompt: 'a snowy owl', negativePrompt: '', seed: 2, model: 'dream' }) }]));
    await writeFile(path.join(cwd, 'in', 'broken.png'), 'nope');

    const imported = await run(importCommand, ['in'], env, cwd);
    expect(imported.code).toBe(0);
    expect(imported.out).toContain('Imported 2, skipped 0 duplicate(s), rejected 1.');
    expect(imported.out).toContain('broken.png: NOT_AN_IMAGE');
    expect(await readdir(path.join(cwd, 'lib'))).toContain('library.sqlite');

    const snow = await run(searchCommand, ['snow*', '--json'], env, cwd);
    const page = JSON.parse(snow.out) as { items: { id: number; prompt: string }[] };
    expect(page.items.map((i) => i.prompt).sort()).toEqual(['a red fox in the snow', 'a snowy owl']);
    expect((await run(searchCommand, ['--model', 'dream', '--count'], env, cwd)).out).toBe('1\n');
    expect((await run(searchCommand, ['fox', '--since', '2000-01-01', '--sort', 'newest'], env, cwd)).out).toContain('a red fox in the snow');
    await expect(run(searchCommand, ['--since', 'yesterday'], env, cwd)).rejects.toBeInstanceOf(UsageError);
    await expect(run(searchCommand, ['--sort', 'random'], env, cwd)).rejects.toBeInstanceOf(UsageError);

    const fox = page.items.find((i) => i.prompt.includes('fox'))?.id ?? 0;
    expect((await run(albumsCommand, ['create', 'Winter animals'], env, cwd)).out).toContain('Created album');
    expect((await run(albumsCommand, ['add', 'Winter animals', String(fox)], env, cwd)).out).toContain('Added 1 image(s)');
    expect((await run(albumsCommand, ['create', 'Owls', '--smart', 'owl'], env, cwd)).code).toBe(0);
    expect((await run(albumsCommand, [], env, cwd)).out).toMatch(/Owls {2}\(smart\)[\s\S]*Winter animals {2}\(1 images\)/u);
    expect((await run(albumsCommand, ['show', 'Owls'], env, cwd)).out).toContain('a snowy owl');
    expect((await run(searchCommand, ['--album', 'Winter animals', '--count'], env, cwd)).out).toBe('1\n');
    const zip = await run(albumsCommand, ['export', 'Winter animals', 'winter.zip'], env, cwd);
    expect(zip.out).toContain('Exported 1 image(s)');
    expect((await run(albumsCommand, ['rename', 'Winter animals', 'Hiver'], env, cwd)).code).toBe(0);
    expect((await run(searchCommand, ['hiver', '--count'], env, cwd)).out).toBe('1\n');
    expect((await run(albumsCommand, ['delete', 'Hiver'], env, cwd)).code).toBe(0);
    await expect(run(albumsCommand, ['show', 'Hiver'], env, cwd)).rejects.toBeInstanceOf(UsageError);

    // The trash: in, listed, back out, in again, and deleted for good only when told --yes.
    const owl = page.items.find((i) => i.prompt.includes('owl'))?.id ?? 0;
    expect((await run(trashCommand, ['add', String(owl)], env, cwd)).out).toBe('Moved 1 image(s) to the trash.\n');
    expect((await run(trashCommand, [], env, cwd)).out).toMatch(/^1 image\(s\) in the trash\.\n.*a snowy owl/u);
    expect(JSON.parse((await run(trashCommand, ['list', '--json'], env, cwd)).out)).toMatchObject({ count: 1, items: [{ id: owl }] });
    expect((await run(trashCommand, ['restore'], env, cwd)).out).toBe('Restored 1 image(s).\n');
    expect((await run(searchCommand, ['--count'], env, cwd)).out).toBe('2\n');
    await run(trashCommand, ['add', String(owl)], env, cwd);
    await expect(run(trashCommand, ['empty'], env, cwd)).rejects.toBeInstanceOf(UsageError);
    await expect(run(trashCommand, ['shred'], env, cwd)).rejects.toBeInstanceOf(UsageError);
    expect((await run(trashCommand, ['empty', '--yes'], env, cwd)).out).toBe('Deleted 1 image(s) for good.\n');
    expect((await run(trashCommand, [], env, cwd)).out).toBe('0 image(s) in the trash.\n');

    expect((await run(libraryCommand, ['check'], env, cwd)).out).toBe('ok (1 images)\n');
    expect((await run(libraryCommand, ['where', '--library', 'other'], env, cwd)).out).toBe(`${path.join(cwd, 'other')}\n`);
  });
});
