import { describe, expect, it } from 'vitest';
import { judge, renderShape, type Palette, type Rgb } from '../../support/shape-checker';
import evaluation from '../../fixtures/embedded-model-eval.json' with { type: 'json' };

const palette = evaluation.palette as unknown as Palette;
const colours = Object.keys(palette);
const shapes = ['circle', 'square', 'triangle'] as const;
const rgb = (name: string): Rgb => palette[name] ?? [0, 0, 0];

function boxBlur(image: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  const out = new Uint8Array(image.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        let n = 0;
        for (let dy = -radius; dy <= radius; dy++) {
          for (let dx = -radius; dx <= radius; dx++) {
            const yy = Math.min(height - 1, Math.max(0, y + dy));
            const xx = Math.min(width - 1, Math.max(0, x + dx));
            sum += image[(yy * width + xx) * 3 + c] ?? 0;
            n++;
          }
        }
        out[(y * width + x) * 3 + c] = Math.round(sum / n);
      }
    }
  }
  return out;
}

describe('shape checker', () => {
  it('names every shape, colour and background of rendered ground truth', () => {
    let checked = 0;
    for (const shape of shapes) {
      for (const [i, fg] of colours.entries()) {
        const bg = colours[(i + 3) % colours.length] ?? 'white';
        for (const [half, cx, cy] of [[19, 32, 32], [10, 20, 44], [21, 30, 34], [9.5, 48, 18]] as const) {
          const verdict = judge(renderShape(shape, rgb(fg), rgb(bg), 64, half, cx, cy), 64, 64, palette);
          expect(verdict, `${shape} ${fg} on ${bg}, half ${half}`).toMatchObject({ shape, colour: fg, background: bg });
          checked++;
        }
      }
    }
    expect(checked).toBe(96);
  });

  it('still names every shape when its edges are soft (a 5×5 box blur, as a small VAE decodes)', () => {
    for (const shape of shapes) {
      for (const [fg, bg] of [['red', 'blue'], ['black', 'green'], ['yellow', 'white'], ['purple', 'orange']] as const) {
        for (const half of [17, 19.5, 22]) {
          const verdict = judge(boxBlur(renderShape(shape, rgb(fg), rgb(bg), 64, half, 31, 33), 64, 64, 2), 64, 64, palette);
          expect(verdict, `blurred ${shape} ${fg} on ${bg}, half ${half}`).toMatchObject({ shape, colour: fg, background: bg });
        }
      }
    }
  });

  it('tells a wrong shape, colour or background from the caption', () => {
    const image = renderShape('square', rgb('red'), rgb('blue'), 64, 18, 32, 32);
    const verdict = judge(image, 64, 64, palette);
    expect(verdict.shape).not.toBe('circle');
    expect(verdict.colour).not.toBe('orange');
    expect(verdict.background).not.toBe('purple');
  });

  it('finds no shape in a blank image', () => {
    const blank = new Uint8Array(64 * 64 * 3).fill(40);
    expect(judge(blank, 64, 64, palette)).toMatchObject({ shape: null, colour: null });
  });

  it('finds no shape in a speck smaller than 1% of the image', () => {
    const image = renderShape('circle', rgb('yellow'), rgb('black'), 64, 2.5, 32, 32);
    expect(judge(image, 64, 64, palette).shape).toBeNull();
  });

  it('rejects a region that is not one of the three shapes: a long bar', () => {
    const image = new Uint8Array(64 * 64 * 3);
    for (let p = 0; p < 64 * 64; p++) {
      const x = p % 64;
      const y = Math.floor(p / 64);
      const c = y >= 28 && y < 36 && x >= 8 && x < 56 ? rgb('green') : rgb('white');
      image.set(c, p * 3);
    }
    expect(judge(image, 64, 64, palette).shape).toBeNull();
  });

  it('rejects noise: no single region passes for a shape', () => {
    let state = 7;
    const image = Uint8Array.from({ length: 64 * 64 * 3 }, () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state >>> 24;
    });
    const verdict = judge(image, 64, 64, palette);
    const passes = verdict.shape === 'circle' && verdict.colour === 'red' && verdict.background === 'blue';
    expect(passes).toBe(false);
  });

  it('sees no clear background, and no shape, in a half-and-half image', () => {
    const image = new Uint8Array(64 * 64 * 3);
    for (let p = 0; p < 64 * 64; p++) image.set((p % 64) < 32 ? rgb('red') : rgb('blue'), p * 3);
    expect(judge(image, 64, 64, palette)).toMatchObject({ background: null, shape: null });
  });

  it('sees no shape in a region cut by the frame', () => {
    const image = renderShape('circle', rgb('green'), rgb('black'), 64, 20, 58, 32);
    expect(judge(image, 64, 64, palette).shape).toBeNull();
  });
});
