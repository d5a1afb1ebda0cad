/**
 * Tensors in the dtype each graph declares: float32 data in, converted to float16 or an integer type when
 * the session asks for it, and float32 out whatever the graph returns. Runtime: engine process.
 */
import ort from 'onnxruntime-node';
import type { TensorSpec } from '../models/sessions';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary32 → binary16, round to nearest even, with subnormals, infinities and NaN. */
export function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0] ?? 0;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return sign | half;
}

export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** A float input tensor in the spec's dtype (float32 or float16). */
export function floatTensor(spec: TensorSpec, data: Float32Array, dims: readonly number[]): ort.Tensor {
  if (spec.type === 'float16') {
    const half = new Uint16Array(data.length);
    for (let i = 0; i < data.length; i++) half[i] = toHalf(data[i] ?? 0);
    return new ort.Tensor('float16', half, dims);
  }
  return new ort.Tensor('float32', data, dims);
}

/**
 * A numeric input tensor in the spec's dtype. Float → integer conversion truncates toward zero, as numpy's
 * `astype(np.int64)` does in diffusers' ONNX pipeline (fractional timesteps of linspace spacing).
 */
export function numberTensor(spec: TensorSpec, values: readonly number[], dims: readonly number[]): ort.Tensor {
  switch (spec.type) {
    case 'int64':
      return new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(Math.trunc(v))), dims);
    case 'int32':
      return new ort.Tensor('int32', Int32Array.from(values, (v) => Math.trunc(v)), dims);
    case 'float16':
      return new ort.Tensor('float16', Uint16Array.from(values, toHalf), dims);
    default:
      return new ort.Tensor('float32', Float32Array.from(values), dims);
  }
}

/** Output data as float32, whatever float dtype the graph produced. */
export function floatData(tensor: ort.Tensor): Float32Array {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') {
    const src = tensor.data as Uint16Array;
    const out = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = fromHalf(src[i] ?? 0);
    return out;
  }
  throw new Error(`expected a float output, got ${tensor.type}`);
}
