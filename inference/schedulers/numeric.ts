/**
 * The few numpy and torch primitives the schedulers are built from, reproduced operation by operation so that a
 * schedule computed here has the same bits as diffusers' (numpy works in float64, torch tensors in float32).
 *
 * `f32` marks every place where torch rounds a float32 result; plain JS arithmetic is numpy's float64.
 */

/** Rounds to the nearest float32, as every torch float32 operation does with its result. */
export const f32 = Math.fround;

/** `numpy.linspace(start, stop, num, endpoint)` in float64: `i * step + start`, with the exact stop last. */
export function npLinspace(start: number, stop: number, num: number, endpoint = true): number[] {
  const div = endpoint ? num - 1 : num;
  const delta = stop - start;
  const step = delta / div;
  const out: number[] = [];
  for (let i = 0; i < num; i++) {
    if (div <= 0) out.push(i * delta + start);
    // numpy falls back to dividing first when the step underflows to zero.
    else if (step === 0) out.push((i / div) * delta + start);
    else out.push(i * step + start);
  }
  if (endpoint && num > 1) out[num - 1] = stop;
  return out;
}

/**
 * `numpy.arange(start, stop, step)` in float64. numpy sets the first two elements, then fills the rest as
 * `start + i * ((start + step) - start)`, and takes its length from `ceil((stop - start) / step)` — which is why
 * `arange(1000, 0, -1000 / 61)` has 62 elements, not 61.
 */
export function npArange(start: number, stop: number, step: number): number[] {
  const length = Math.max(0, Math.ceil((stop - start) / step));
  const delta = start + step - start;
  const out: number[] = [];
  for (let i = 0; i < length; i++) out.push(i === 0 ? start : i === 1 ? start + step : start + i * delta);
  return out;
}

/** `numpy.round` (and `rint`): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction < 0.5) return floor;
  if (fraction > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** `numpy.interp(x, numpy.arange(len(fp)), fp)` in float64. */
export function interpOverIndex(x: number, fp: ArrayLike<number>): number {
  const last = fp.length - 1;
  if (x <= 0) return fp[0];
  if (x >= last) return fp[last];
  const j = Math.floor(x);
  // The slope's denominator, xp[j + 1] - xp[j], is exactly 1.
  return (fp[j + 1] - fp[j]) * (x - j) + fp[j];
}

/**
 * `torch.linspace(start, end, steps, dtype=torch.float32)` on the CPU: the step is a float32, the first half
 * counts up from start and the second half down from end, each product and sum rounded to float32.
 */
export function torchLinspaceF32(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  const s = f32(start);
  const e = f32(end);
  if (steps === 1) {
    out[0] = s;
    return out;
  }
  const step = f32(f32(e - s) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) {
    out[i] = i < halfway ? f32(s + f32(step * i)) : f32(e - f32(step * (steps - i - 1)));
  }
  return out;
}

/** `torch.cumprod` of a float32 tensor on the CPU: the running product is kept in float64, each output rounded. */
export function cumprodF32(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  let product = 1;
  for (let i = 0; i < values.length; i++) {
    product *= values[i];
    out[i] = product;
  }
  return out;
}
