import sharp from 'sharp';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodePng, insertChunks, textChunk } from '../../../../inference/image/png';

/** Every chunk of a PNG, with its CRC checked: an independent reader of what we write. */
function chunks(png: Buffer): { type: string; data: Buffer }[] {
  const out = [];
  let at = 8;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    out.push({ type, data });
    at += 12 + length;
  }
  return out;
}

const pixels = Uint8Array.from({ length: 4 * 4 * 3 }, (_, i) => (i * 37) % 256);

describe('PNG writer', () => {
  it('writes ASCII text as tEXt right after IHDR, and sharp still decodes the same pixels', async () => {
    const png = await encodePng(pixels, 4, 4, [{ keyword: 'parameters', text: 'a cat, Steps: 20' }]);
    const list = chunks(png);
    expect(list.map((c) => c.type).slice(0, 2)).toEqual(['IHDR', 'tEXt']);
    const text = list[1]?.data ?? Buffer.alloc(0);
    expect(text.toString('latin1')).toBe('parameters\u0000a cat, Steps: 20');
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 4, height: 4, channels: 3 });
    expect(new Uint8Array(data)).toEqual(pixels);
    const meta = await sharp(png).metadata();
    expect(meta.comments).toEqual([{ keyword: 'parameters', text: 'a cat, Steps: 20' }]);
  });

  it('writes text beyond ASCII as UTF-8 iTXt, compressed when long, and sharp reads it back', async () => {
    const short = 'un café, 猫 on a mat';
    const long = 'ネコ '.repeat(500);
    const png = await encodePng(pixels, 4, 4, [{ keyword: 'parameters', text: short }, { keyword: 'studio', text: long }]);
    const itxt = chunks(png).filter((c) => c.type === 'iTXt');
    expect(itxt).toHaveLength(2);
    const [first, second] = itxt.map((c) => c.data);
    expect(first?.subarray(0, 11).toString('latin1')).toBe('parameters\u0000');
    expect(first?.subarray(11, 15)).toEqual(Buffer.from([0, 0, 0, 0]));
    expect(first?.subarray(15).toString('utf8')).toBe(short);
    expect(second?.[7]).toBe(1);
    expect(inflateSync(second?.subarray(11) ?? Buffer.alloc(0)).toString('utf8')).toBe(long);
    expect((await sharp(png).metadata()).comments?.[0]).toEqual({ keyword: 'parameters', text: short });
  });

  it('can force iTXt for JSON, as the studio chunk always is', () => {
    expect(textChunk({ keyword: 'studio', text: '{}' }, true).toString('latin1', 4, 8)).toBe('iTXt');
  });

  it('refuses keywords PNG does not allow', () => {
    expect(() => textChunk({ keyword: '', text: 'x' })).toThrow(/keyword/);
    expect(() => textChunk({ keyword: 'k'.repeat(80), text: 'x' })).toThrow(/keyword/);
    expect(() => textChunk({ keyword: 'naïve', text: 'x' })).toThrow(/keyword/);
  });

  it('refuses to insert chunks into something that is not a PNG', () => {
    expect(() => insertChunks(Buffer.from('GIF89a'), [])).toThrow('not a PNG');
  });
});
