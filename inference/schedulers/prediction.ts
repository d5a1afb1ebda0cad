/** Recovering the predicted clean sample x0 from what the model predicts, in float32 like diffusers' tensors. */
import type { PredictionType } from './noise-schedule';
import { f32 } from './numeric';

/** `(sigma ** 2 + 1) ** 0.5` as a float32 scalar: the k-diffusion input scale. */
export function inputScale(sigma: number): number {
  return f32(Math.sqrt(f32(f32(sigma * sigma) + 1)));
}

/** x0 for the k-diffusion (sigma-scaled) parameterisation that Euler and Euler a use. */
export function predictOriginalKarras(
  prediction: PredictionType,
  sigma: number,
  modelOutput: Float32Array,
  sample: Float32Array,
): Float32Array {
  if (prediction === 'sample') return modelOutput;
  if (prediction === 'epsilon') return sample.map((s, i) => f32(s - f32(sigma * modelOutput[i])));
  // v-prediction: denoised = model_output * c_out + sample * c_skip.
  const cOut = f32(-sigma / inputScale(sigma));
  const cSkipDenominator = f32(f32(sigma * sigma) + 1);
  return sample.map((s, i) => f32(f32(modelOutput[i] * cOut) + f32(s / cSkipDenominator)));
}

/** √ᾱ and √(1 - ᾱ) of a training timestep, as float32 scalars. */
export function alphaRoots(alphaProduct: number): { readonly alpha: number; readonly beta: number } {
  return { alpha: f32(Math.sqrt(alphaProduct)), beta: f32(Math.sqrt(f32(1 - alphaProduct))) };
}

/** x0 for the DDPM parameterisation that DDIM and LCM use. */
export function predictOriginalDdpm(
  prediction: PredictionType,
  alphaProduct: number,
  modelOutput: Float32Array,
  sample: Float32Array,
): Float32Array {
  const root = alphaRoots(alphaProduct);
  if (prediction === 'sample') return modelOutput;
  if (prediction === 'epsilon') {
    return sample.map((s, i) => f32(f32(s - f32(root.beta * modelOutput[i])) / root.alpha));
  }
  return sample.map((s, i) => f32(f32(root.alpha * s) - f32(root.beta * modelOutput[i])));
}
