import { describe, expect, it } from 'vitest';
import { fromHalf, numberTensor, toHalf } from '../../../../inference/pipelines/tensors';

describe('float16 conversion', () => {
  it('encodes known values exactly (IEEE 754 binary16)', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [65504, 0x7bff],
      [65520, 0x7c00],
      [Infinity, 0x7c00],
      [2 ** -24, 0x0001],
      [2 ** -14, 0x0400],
      [0.1, 0x2e66],
      [1 + 2 ** -11, 0x3c00],
      [1 + 3 * 2 ** -11, 0x3c02],
    ];
    for (const [value, bits] of cases) expect(toHalf(value), String(value)).toBe(bits);
    expect(toHalf(NaN) & 0x7c00).toBe(0x7c00);
    expect(toHalf(NaN) & 0x3ff).not.toBe(0);
  });

  it('round-trips every half value', () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00 && h & 0x3ff) continue;
      expect(toHalf(fromHalf(h))).toBe(h);
    }
  });
});

describe('numeric input tensors', () => {
  it('truncates fractional timesteps toward zero for integer graphs, as numpy astype does', () => {
    const spec = { name: 'timestep', type: 'int64' as const, shape: ['batch'] };
    expect([...(numberTensor(spec, [946.9, 1.2], [2]).data as BigInt64Array)]).toEqual([946n, 1n]);
    expect([...(numberTensor({ ...spec, type: 'int32' }, [3.99], [1]).data as Int32Array)]).toEqual([3]);
    expect([...(numberTensor({ ...spec, type: 'float32' }, [946.5], [1]).data as Float32Array)]).toEqual([946.5]);
  });
});
