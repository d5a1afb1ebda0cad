import { boxMuller16Avx2, boxMuller16Scalar } from './box-muller';
import { Mt19937 } from './mt19937';

/**
 * Which of PyTorch's two float32 Box–Muller kernels `randn` reproduces for 16 or more elements (see
 * box-muller.ts): `avx2` is what x86-64 machines with AVX2 run, the usual ComfyUI or diffusers host;
 * `scalar` is what ARM machines (Apple Silicon) and x86 machines without AVX2 run.
 */
export type NormalKernel = 'avx2' | 'scalar';

export interface TorchGeneratorOptions {
  readonly normalKernel?: NormalKernel;
}

const MAX_SEED = (1n << 64n) - 1n;
const FLOAT_UNIFORM_MASK = 0xffffff;
const TWO_POW_MINUS_24 = 2 ** -24;
const TWO_POW_MINUS_53 = 2 ** -53;
const TWO_POW_32 = 2 ** 32;
const NORMAL_FILL_MIN_SIZE = 16;

/**
 * PyTorch's CPU generator (`torch.Generator()` after `manual_seed(seed)`), for float32 `torch.rand` and
 * `torch.randn`: the same seed gives the same numbers, in the same order, with successive draws sharing one
 * state, so a seed gives the initial latents that ComfyUI and diffusers (with a CPU generator) give.
 *
 * Verified bit for bit against PyTorch 1.13 (test/fixtures/torch-rng); the current source runs the same
 * algorithm, except that it writes ln(1 − u2) below as log1p(−u2): the same value up to float64 rounding,
 * which the narrowing to float32 hides.
 * - rand: one 32-bit draw per value, its low 24 bits scaled by 2^−24.
 * - randn, 16 or more values (`normal_fill`): rand for all of them, Box–Muller in blocks of 16 and, when
 *   the size is not a multiple of 16, the last 16 recomputed from 16 fresh uniforms.
 * - randn, fewer than 16 values: the float64 Box–Muller of `normal_distribution<double>`, from 53-bit
 *   uniforms (two 32-bit draws each); each pair gives a cosine sample and caches the sine sample for the
 *   next small draw, a cache that draws of other kinds leave alone.
 */
export class TorchGenerator {
  private readonly engine: Mt19937;
  private readonly boxMuller16: (data: Float32Array, offset: number) => void;
  private cachedNormal: number | null = null;

  /**
   * `seed` as `torch.manual_seed` takes it, from 0 to 2^64 − 1 (a number must be a safe integer; larger
   * seeds need a bigint). Only its low 32 bits reach the Mersenne Twister, as in PyTorch, so seeds that
   * differ by a multiple of 2^32 give the same numbers. PyTorch also folds a negative seed into that range;
   * here it is an error, so that a seed is never silently changed.
   */
  constructor(seed: number | bigint, options: Readonly<TorchGeneratorOptions> = {}) {
    this.engine = new Mt19937(lowSeedBits(seed));
    const kernel = options.normalKernel ?? 'avx2';
    if (kernel !== 'avx2' && kernel !== 'scalar') {
      throw new RangeError(`normalKernel ${JSON.stringify(kernel)}: expected "avx2" or "scalar"`);
    }
    this.boxMuller16 = kernel === 'avx2' ? boxMuller16Avx2 : boxMuller16Scalar;
  }

  /** `torch.rand(shape, generator=g)`: uniform in [0, 1), row-major. */
  rand(shape: readonly number[]): Float32Array {
    const data = new Float32Array(elementCount(shape));
    for (let i = 0; i < data.length; i++) data[i] = this.nextFloatUniform();
    return data;
  }

  /** `torch.randn(shape, generator=g)`: standard normal, row-major. */
  randn(shape: readonly number[]): Float32Array {
    const size = elementCount(shape);
    const data = new Float32Array(size);
    if (size >= NORMAL_FILL_MIN_SIZE) {
      this.normalFill(data);
    } else {
      for (let i = 0; i < size; i++) data[i] = this.nextDoubleNormal();
    }
    return data;
  }

  private normalFill(data: Float32Array): void {
    const size = data.length;
    for (let i = 0; i < size; i++) data[i] = this.nextFloatUniform();
    for (let i = 0; i + NORMAL_FILL_MIN_SIZE <= size; i += NORMAL_FILL_MIN_SIZE) this.boxMuller16(data, i);
    if (size % NORMAL_FILL_MIN_SIZE !== 0) {
      const tail = size - NORMAL_FILL_MIN_SIZE;
      for (let i = tail; i < size; i++) data[i] = this.nextFloatUniform();
      this.boxMuller16(data, tail);
    }
  }

  private nextFloatUniform(): number {
    return (this.engine.nextUint32() & FLOAT_UNIFORM_MASK) * TWO_POW_MINUS_24;
  }

  private nextDoubleUniform(): number {
    // random64() puts the first draw in the high word; the mask keeps its low 21 bits.
    const high = this.engine.nextUint32() & 0x1fffff;
    const low = this.engine.nextUint32();
    return (high * TWO_POW_32 + low) * TWO_POW_MINUS_53;
  }

  private nextDoubleNormal(): number {
    let sample = this.cachedNormal;
    if (sample === null) {
      const u1 = this.nextDoubleUniform();
      const u2 = this.nextDoubleUniform();
      const radius = Math.sqrt(-2 * Math.log(1 - u2));
      const theta = 2 * Math.PI * u1;
      this.cachedNormal = radius * Math.sin(theta);
      sample = radius * Math.cos(theta);
    } else {
      this.cachedNormal = null;
    }
    // `sample * std + mean` with std 1 and mean +0, which turns a −0 into +0, then narrowed to float32.
    return sample + 0;
  }
}

function lowSeedBits(seed: number | bigint): number {
  if (typeof seed === 'bigint') {
    if (seed < 0n || seed > MAX_SEED) throw new RangeError(`seed ${seed}: expected an integer from 0 to 2^64 - 1`);
    return Number(BigInt.asUintN(32, seed));
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`seed ${seed}: expected a safe integer from 0 to 2^53 - 1 (use a bigint up to 2^64 - 1)`);
  }
  return seed >>> 0;
}

function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dimension of shape) {
    if (!Number.isSafeInteger(dimension) || dimension < 0) {
      throw new RangeError(`shape [${shape.join(', ')}]: every dimension must be a non-negative integer`);
    }
    count *= dimension;
  }
  return count;
}
