import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DurableWriter } from '../../../db/durable-writer';
import { tempDir } from './helpers';

describe('DurableWriter', () => {
  it('writes complete files under their names from its own threads, keeps an existing one when asked, and reports failures', async () => {
    const dir = await tempDir('studio-writer-');
    const writer = new DurableWriter(2);
    try {
      const files = Array.from({ length: 40 }, (_, i) => ({ target: path.join(dir, `d${i % 3}`, `f${i}.bin`), bytes: Buffer.alloc(50_000 + i, i) }));
      await Promise.all(files.map((f) => writer.write(f.target, f.bytes)));
      await writer.syncDirectories(files.map((f) => path.dirname(f.target)));
      for (const f of files) expect((await readFile(f.target)).equals(f.bytes)).toBe(true);
      // No temporary file is left beside them.
      for (const sub of ['d0', 'd1', 'd2']) expect((await readdir(path.join(dir, sub))).every((name) => name.endsWith('.bin'))).toBe(true);

      const kept = files[0]?.target ?? '';
      await writer.write(kept, Buffer.from('other'), true);
      expect((await readFile(kept)).equals(files[0]?.bytes ?? Buffer.alloc(0))).toBe(true);
      await writer.write(kept, Buffer.from('replaced'));
      expect(await readFile(kept, 'utf8')).toBe('replaced');

      await writeFile(path.join(dir, 'a-file'), 'x');
      await expect(writer.write(path.join(dir, 'a-file', 'inside.bin'), Buffer.from('y'))).rejects.toMatchObject({ code: 'IO_ERROR' });
      await mkdir(path.join(dir, 'after'));
      await writer.write(path.join(dir, 'after', 'still-works.bin'), Buffer.from('z'));
      expect(await readFile(path.join(dir, 'after', 'still-works.bin'), 'utf8')).toBe('z');
    } finally {
      await writer.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
