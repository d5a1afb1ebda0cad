/** Limiting the predicted x0: clipping, and dynamic thresholding, which works per batch item. */
import { bool, num, type Spec } from './config';
import { f32 } from './numeric';

export interface ClipConfig {
  readonly clip_sample: boolean;
  readonly clip_sample_range: number;
}

export interface ThresholdConfig {
  readonly thresholding: boolean;
  readonly dynamic_thresholding_ratio: number;
  readonly sample_max_value: number;
}

export function clipFields(clipSampleDefault: boolean): Spec<ClipConfig> {
  return { clip_sample: bool(clipSampleDefault), clip_sample_range: num(1, { above: 0 }) };
}

export function thresholdFields(): Spec<ThresholdConfig> {
  return {
    thresholding: bool(false),
    dynamic_thresholding_ratio: num(0.995, { min: 0, max: 1 }),
    sample_max_value: num(1, { above: 0 }),
  };
}

/** `torch.lerp` on float32 scalars, with its two formulas for small and large weights. */
function lerpF32(start: number, end: number, weight: number): number {
  return Math.abs(weight) < 0.5
    ? f32(start + f32(weight * f32(end - start)))
    : f32(end - f32(f32(end - start) * f32(1 - weight)));
}

/** `torch.quantile(values, q)` with linear interpolation, in float32 like the tensor it reads. */
export function quantileF32(values: Float32Array, q: number): number {
  const sorted = values.slice().sort();
  const rank = f32(f32(q) * (sorted.length - 1));
  const below = Math.trunc(rank);
  const above = Math.ceil(rank);
  return lerpF32(sorted[below], sorted[above], f32(rank - below));
}

/**
 * Imagen's dynamic thresholding (arXiv 2205.11487), per batch item: s is the `ratio` quantile of |x0|, clamped
 * to [1, maxValue] (torch's clamp lets the maximum win when maxValue < 1); x0 is clamped to [-s, s] and divided
 * by s.
 */
export function dynamicThreshold(sample: Float32Array, shape: readonly number[], ratio: number, maxValue: number): Float32Array {
  const batch = shape[0];
  const size = sample.length / batch;
  const out = new Float32Array(sample.length);
  for (let b = 0; b < batch; b++) {
    const item = sample.subarray(b * size, (b + 1) * size);
    const s = f32(Math.min(Math.max(quantileF32(item.map(Math.abs), ratio), 1), maxValue));
    for (let i = 0; i < size; i++) out[b * size + i] = f32(Math.min(Math.max(item[i], -s), s) / s);
  }
  return out;
}

/** `tensor.clamp(-range, range)`. */
export function clipSample(sample: Float32Array, range: number): Float32Array {
  const limit = f32(range);
  return sample.map((x) => Math.min(Math.max(x, -limit), limit));
}

/**
 * Dynamic thresholding when configured, else clipping to `clipRange` when one is given (DDIM and LCM clip when
 * `clip_sample` is set; DPM-Solver has no clipping).
 */
export function limitOriginal(
  config: ThresholdConfig,
  clipRange: number | null,
  original: Float32Array,
  shape: readonly number[],
): Float32Array {
  if (config.thresholding) {
    return dynamicThreshold(original, shape, config.dynamic_thresholding_ratio, config.sample_max_value);
  }
  return clipRange === null ? original : clipSample(original, clipRange);
}
