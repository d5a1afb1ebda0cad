import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../../inference/rng';
import type { NormalKernel } from '../../../../inference/rng';

interface Draw {
  readonly op: 'rand' | 'randn';
  readonly shape: readonly number[];
  readonly values?: readonly number[];
  readonly samples?: readonly (readonly [number, number])[];
  readonly sum?: number;
  readonly crc32?: number;
}

interface Fixture {
  readonly torch: string;
  readonly kernel: NormalKernel;
  readonly cases: readonly { readonly seed: string; readonly draws: readonly Draw[] }[];
}

function loadFixture(kernel: NormalKernel): Fixture {
  const url = new URL(`../../../fixtures/torch-rng/${kernel}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Fixture;
}

function draw(generator: TorchGenerator, { op, shape }: Draw): Float32Array {
  return op === 'rand' ? generator.rand(shape) : generator.randn(shape);
}

function describeDraw(seed: string, index: number, { op, shape }: Draw): string {
  return `seed ${seed}, draw ${index}: ${op}([${shape.join(', ')}])`;
}

/** Distance in units in the last place between two float32 values of the same sign. */
function ulpDistance(a: number, b: number): number {
  const words = new Int32Array(new Float32Array([a, b]).buffer);
  return Math.abs(words[0] - words[1]);
}

function sequentialSum(values: Float32Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum;
}

describe('TorchGenerator against PyTorch, AVX2 kernel (x86-64 builds)', () => {
  const fixture = loadFixture('avx2');

  it.each(fixture.cases.map((testCase) => [testCase.seed, testCase.draws.length, testCase] as const))(
    'seed %s, %i draw(s): every value bit for bit',
    (_seed, _count, { seed, draws }) => {
      const generator = new TorchGenerator(BigInt(seed));
      draws.forEach((expected, index) => {
        const actual = draw(generator, expected);
        const label = describeDraw(seed, index, expected);
        if (expected.values) {
          expect(Array.from(actual), label).toEqual(expected.values.map(Math.fround));
          return;
        }
        for (const [at, value] of expected.samples ?? []) expect(actual[at], `${label} [${at}]`).toBe(Math.fround(value));
        expect(sequentialSum(actual), label).toBe(expected.sum);
        expect(crc32(new Uint8Array(actual.buffer)), label).toBe(expected.crc32);
      });
    },
  );
});

describe('TorchGenerator against PyTorch, scalar kernel (ARM and builds without AVX2)', () => {
  const fixture = loadFixture('scalar');
  // The scalar kernel calls the C library's logf, cosf and sinf, which are within 1 ulp but not
  // correctly rounded in glibc, while ours are; the difference passes through sqrt and a product, so a
  // normal can differ by up to 3 ulp. Everything that does not go through those functions (rand, the
  // uniforms behind randn, the float64 path of small draws, the draw order) must still match exactly.
  const libmUlps = 3;

  it.each(fixture.cases.map((testCase) => [testCase.seed, testCase.draws.length, testCase] as const))(
    'seed %s, %i draw(s): rand and small randn exact, normal_fill within libm rounding',
    (_seed, _count, { seed, draws }) => {
      const generator = new TorchGenerator(BigInt(seed), { normalKernel: 'scalar' });
      draws.forEach((expected, index) => {
        const actual = draw(generator, expected);
        const label = describeDraw(seed, index, expected);
        const exact = expected.op === 'rand' || actual.length < 16;
        const pairs: (readonly [number, number])[] = expected.values
          ? expected.values.map((value, at) => [at, value] as const)
          : [...(expected.samples ?? [])];
        for (const [at, value] of pairs) {
          const want = Math.fround(value);
          if (exact) expect(actual[at], `${label} [${at}]`).toBe(want);
          else expect(ulpDistance(actual[at], want), `${label} [${at}]: ${actual[at]} vs ${want}`).toBeLessThanOrEqual(libmUlps);
        }
        if (expected.sum === undefined) return;
        if (exact) expect(crc32(new Uint8Array(actual.buffer)), label).toBe(expected.crc32);
        // 3 ulp of a value below 8 is under 3 × 2^-21; the sum of the differences stays far below this.
        expect(Math.abs(sequentialSum(actual) - expected.sum), label).toBeLessThan(actual.length * 2 ** -19);
      });
    },
  );
});

describe('TorchGenerator', () => {
  it('starts where torch.manual_seed(0) starts: rand 0.4963, randn 1.5410', () => {
    expect(new TorchGenerator(0).rand([1])[0]).toBe(Math.fround(0.4962566));
    expect(new TorchGenerator(0).randn([1])[0]).toBe(Math.fround(1.5409961));
  });

  it('takes a seed as a number or a bigint alike', () => {
    expect(new TorchGenerator(1234567890).randn([2, 4, 8, 8])).toEqual(new TorchGenerator(1234567890n).randn([2, 4, 8, 8]));
  });

  it('uses only the low 32 bits of the seed, as PyTorch does', () => {
    const low = new TorchGenerator(7).randn([40]);
    expect(new TorchGenerator(2 ** 32 + 7).randn([40])).toEqual(low);
    expect(new TorchGenerator((1n << 63n) + 7n).randn([40])).toEqual(low);
  });

  it('keeps the cached Box–Muller sample across draws of other kinds', () => {
    const pairs = new TorchGenerator(5).randn([2]);
    const interleaved = new TorchGenerator(5);
    const first = interleaved.randn([1])[0];
    interleaved.rand([3]);
    interleaved.randn([32]);
    expect(interleaved.randn([1])[0]).toBe(pairs[1]);
    expect(first).toBe(pairs[0]);
  });

  it('draws nothing for an empty shape and one value for a scalar shape', () => {
    const generator = new TorchGenerator(0);
    expect(generator.randn([4, 0, 3])).toHaveLength(0);
    expect(generator.rand([])).toEqual(new TorchGenerator(0).rand([1]));
  });

  it.each([[-1], [1.5], [Number.NaN], [2 ** 53], [-1n], [1n << 64n]])('rejects the seed %s', (seed) => {
    expect(() => new TorchGenerator(seed)).toThrow(RangeError);
    expect(() => new TorchGenerator(seed)).toThrow(`seed ${String(seed)}`);
  });

  it('accepts the largest seed PyTorch accepts', () => {
    expect(() => new TorchGenerator((1n << 64n) - 1n)).not.toThrow();
  });

  it.each([[[2, -1]], [[1.5]], [[Number.POSITIVE_INFINITY]]])('rejects the shape %j', (shape) => {
    expect(() => new TorchGenerator(0).randn(shape)).toThrow(`shape [${shape.join(', ')}]`);
  });

  it('rejects an unknown normal kernel', () => {
    const options = JSON.parse('{"normalKernel":"avx512"}') as { normalKernel: NormalKernel };
    expect(() => new TorchGenerator(0, options)).toThrow('normalKernel "avx512"');
  });
});
