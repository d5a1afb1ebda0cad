import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeRgbPng, previewDataUrl } from '../../../../electron/core/preview';

describe('previews', () => {
  it('encodes the engine RGB bytes as a PNG that decodes to the same pixels', async () => {
    const rgb = Uint8Array.from({ length: 3 * 4 * 2 }, (_, i) => (i * 37) % 256);
    const { data, info } = await sharp(encodeRgbPng(4, 2, rgb)).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([4, 2, 3]);
    expect([...data]).toEqual([...rgb]);
    expect(previewDataUrl(4, 2, rgb)).toMatch(/^data:image\/png;base64,/);
  });

  it('refuses bytes that do not match the size', () => {
    expect(() => encodeRgbPng(4, 2, new Uint8Array(10))).toThrow(/expected 24 RGB bytes/);
  });
});
