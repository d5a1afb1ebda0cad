/**
 * The fixtures of diffusers' scheduler tests (tests/schedulers/test_schedulers.py, SchedulerCommonTest),
 * rebuilt in float32 as torch builds them.
 */
import type { Scheduler, StepOptions } from '../../../../inference/schedulers';

const f32 = Math.fround;

/** diffusers' test shape: batch 4, 3 channels, 8×8. */
export const SHAPE: readonly number[] = [4, 3, 8, 8];

/**
 * `dummy_sample_deter`: `arange(768).reshape(3, 8, 8, 4) / 768`, permuted to (4, 3, 8, 8). The permutation
 * matters where noise is added element by element.
 */
export function dummySampleDeter(): Float32Array {
  const [batch, channels, height, width] = SHAPE;
  const count = batch * channels * height * width;
  const out = new Float32Array(count);
  let i = 0;
  for (let b = 0; b < batch; b++)
    for (let c = 0; c < channels; c++)
      for (let h = 0; h < height; h++)
        for (let w = 0; w < width; w++) out[i++] = f32((((c * height + h) * width + w) * batch + b) / count);
  return out;
}

/** `dummy_model`: `sample * t / (t + 1)`, with t cast to the sample's float32. */
export function dummyModel(sample: Float32Array, t: number): Float32Array {
  const time = f32(t);
  const denominator = f32(time + 1);
  return sample.map((x) => f32(x * time) / denominator);
}

export function sumAbs(values: Float32Array): number {
  return values.reduce((sum, x) => sum + Math.abs(x), 0);
}

export function meanAbs(values: Float32Array): number {
  return sumAbs(values) / values.length;
}

/**
 * The full loop of diffusers' tests: `sample * init_noise_sigma`, then for each timestep scale the input, run
 * the dummy model on it and step. `scaleInput` false reproduces the loops that skip `scale_model_input`.
 */
export function fullLoop(
  scheduler: Scheduler,
  steps: number,
  options: Omit<StepOptions, 'shape'> & { readonly scaleInput?: boolean } = {},
): Float32Array {
  const { scaleInput = true, ...stepOptions } = options;
  scheduler.setTimesteps(steps);
  const sigma = f32(scheduler.initNoiseSigma);
  let sample: Float32Array = dummySampleDeter().map((x) => x * sigma);
  for (const t of scheduler.timesteps) {
    if (scaleInput) sample = scheduler.scaleModelInput(sample, t);
    sample = scheduler.step(dummyModel(sample, t), t, sample, { shape: SHAPE, ...stepOptions });
  }
  return sample;
}
