/**
 * The schedule math every scheduler shares: the training betas and their cumulative alphas (float32 torch
 * tensors in diffusers), the inference timestep spacings and the sigma schedules (float64 numpy arrays in
 * diffusers, cast to float32 when they become tensors).
 */
import { bool, int, num, oneOf, trainedBetas, type Spec } from './config';
import { SchedulerConfigError, SchedulerUsageError } from './errors';
import { cumprodF32, f32, npArange, npLinspace, roundHalfEven, torchLinspaceF32 } from './numeric';

export type BetaSchedule = 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
export type PredictionType = 'epsilon' | 'v_prediction' | 'sample';
export type TimestepSpacing = 'linspace' | 'leading' | 'trailing';

export interface BetaConfig {
  readonly num_train_timesteps: number;
  readonly beta_start: number;
  readonly beta_end: number;
  readonly beta_schedule: BetaSchedule;
  readonly trained_betas: readonly number[] | null;
  readonly rescale_betas_zero_snr: boolean;
}

/** The keys of the training noise schedule, with a scheduler's own defaults for the betas. */
export function betaFields(defaults: Pick<BetaConfig, 'beta_start' | 'beta_end' | 'beta_schedule'>): Spec<BetaConfig> {
  return {
    num_train_timesteps: int(1000, { min: 2 }),
    beta_start: num(defaults.beta_start, { min: 0, max: 0.999 }),
    beta_end: num(defaults.beta_end, { min: 0, max: 0.999 }),
    beta_schedule: oneOf(['linear', 'scaled_linear', 'squaredcos_cap_v2'], defaults.beta_schedule),
    trained_betas: trainedBetas(),
    rescale_betas_zero_snr: bool(false),
  };
}

export const TIMESTEP_SPACINGS: readonly TimestepSpacing[] = ['linspace', 'leading', 'trailing'];

/** The squaredcos_cap_v2 (GLIDE cosine) betas: computed in Python floats, stored as float32. */
function cosineBetas(count: number): Float32Array {
  const alphaBar = (t: number): number => Math.cos((((t + 0.008) / 1.008) * Math.PI) / 2) ** 2;
  const betas = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    betas[i] = Math.min(1 - alphaBar((i + 1) / count) / alphaBar(i / count), 0.999);
  }
  return betas;
}

/** Rescales betas to zero terminal SNR (arXiv 2305.08891, Algorithm 1), in float32 as diffusers does. */
function rescaleZeroTerminalSnr(betas: Float32Array): Float32Array {
  const root = cumprodF32(betas.map((b) => f32(1 - b))).map((a) => f32(Math.sqrt(a)));
  const first = root[0];
  const last = root[root.length - 1];
  const scale = f32(first / f32(first - last));
  const alphasBar = root.map((r) => {
    const shifted = f32(f32(r - last) * scale);
    return f32(shifted * shifted);
  });
  return alphasBar.map((ab, i) => f32(1 - (i === 0 ? ab : f32(ab / alphasBar[i - 1]))));
}

export function trainingBetas(config: BetaConfig): Float32Array {
  const count = config.num_train_timesteps;
  let betas: Float32Array;
  if (config.trained_betas !== null) {
    if (config.trained_betas.length !== count) {
      throw new SchedulerConfigError(
        `scheduler_config.json: "trained_betas" has ${config.trained_betas.length} values but "num_train_timesteps" is ${count}`,
      );
    }
    betas = Float32Array.from(config.trained_betas);
  } else if (config.beta_schedule === 'linear') {
    betas = torchLinspaceF32(config.beta_start, config.beta_end, count);
  } else if (config.beta_schedule === 'scaled_linear') {
    // Latent diffusion's schedule: linear in sqrt(beta), squared as a float32 tensor.
    betas = torchLinspaceF32(config.beta_start ** 0.5, config.beta_end ** 0.5, count).map((b) => f32(b * b));
  } else {
    betas = cosineBetas(count);
  }
  return config.rescale_betas_zero_snr ? rescaleZeroTerminalSnr(betas) : betas;
}

/** `alphas_cumprod`, the float32 product of (1 - beta) up to each training timestep. */
export function alphasCumprod(betas: Float32Array): Float32Array {
  return cumprodF32(betas.map((b) => f32(1 - b)));
}

/**
 * Euler, Euler a and DPM-Solver replace the zero-SNR endpoint's alphas_cumprod of 0 by float16's smallest
 * subnormal, so that the first sigma is finite; DDIM and LCM keep the 0.
 */
export function withFiniteTerminalSigma(alphas: Float32Array, config: BetaConfig): Float32Array {
  if (!config.rescale_betas_zero_snr) return alphas;
  const copy = alphas.slice();
  copy[copy.length - 1] = 2 ** -24;
  return copy;
}

/** The training sigmas `((1 - ᾱ) / ᾱ) ** 0.5`, a float32 tensor. */
export function trainingSigmas(alphas: Float32Array): Float32Array {
  return alphas.map((a) => f32(Math.sqrt(f32(f32(1 - a) / a))));
}

/** `np.log` of a float32 array stays float32. */
export function logF32(values: Float32Array): Float32Array {
  return values.map((v) => f32(Math.log(v)));
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

function checkTrailing(timesteps: readonly number[], trainSteps: number, steps: number): void {
  if (timesteps.some((t) => t < 0)) {
    throw new SchedulerUsageError(
      `trailing timestep spacing over ${trainSteps} training steps cannot make ${steps} steps: diffusers' ` +
        `numpy.arange yields ${timesteps.length} timesteps ending at ${timesteps[timesteps.length - 1]}; choose another step count`,
    );
  }
}

/**
 * The inference timesteps of Euler, Euler a and DDIM in float64, highest first (arXiv 2305.08891, Table 2).
 * `linspace` keeps fractions; DDIM rounds them, Euler keeps them as float32.
 */
export function spacedTimesteps(spacing: TimestepSpacing, trainSteps: number, steps: number, offset: number): number[] {
  if (spacing === 'linspace') return npLinspace(0, trainSteps - 1, steps).reverse();
  if (spacing === 'leading') {
    const ratio = Math.floor(trainSteps / steps);
    return range(steps)
      .map((i) => i * ratio + offset)
      .reverse();
  }
  const timesteps = npArange(trainSteps, 0, -(trainSteps / steps)).map((t) => roundHalfEven(t) - 1);
  checkTrailing(timesteps, trainSteps, steps);
  return timesteps;
}

/** DPM-Solver's spacings: n + 1 points with the last dropped, up to the λ-clipped last timestep. */
export function dpmSpacedTimesteps(
  spacing: TimestepSpacing,
  trainSteps: number,
  lastTimestep: number,
  steps: number,
  offset: number,
): number[] {
  if (spacing === 'linspace') {
    return npLinspace(0, lastTimestep - 1, steps + 1)
      .map(roundHalfEven)
      .reverse()
      .slice(0, steps);
  }
  if (spacing === 'leading') {
    const ratio = Math.floor(lastTimestep / (steps + 1));
    return range(steps + 1)
      .map((i) => i * ratio)
      .reverse()
      .slice(0, steps)
      .map((t) => t + offset);
  }
  const timesteps = npArange(lastTimestep, 0, -(trainSteps / steps)).map((t) => roundHalfEven(t) - 1);
  checkTrailing(timesteps, trainSteps, steps);
  return timesteps;
}

/** Karras et al. (2022) sigmas, ρ = 7, from sigma_max down to sigma_min, in float64. */
export function karrasSigmas(sigmaMin: number, sigmaMax: number, steps: number): number[] {
  const rho = 7;
  const minInvRho = sigmaMin ** (1 / rho);
  const maxInvRho = sigmaMax ** (1 / rho);
  return npLinspace(0, 1, steps).map((r) => (maxInvRho + r * (minInvRho - maxInvRho)) ** rho);
}

/** Sigmas evenly spaced in log sigma, from sigma_max down to sigma_min, in float64. */
export function exponentialSigmas(sigmaMin: number, sigmaMax: number, steps: number): number[] {
  return npLinspace(Math.log(sigmaMax), Math.log(sigmaMin), steps).map(Math.exp);
}

/**
 * The (fractional) training timestep of a sigma: linear interpolation in log sigma between the two training
 * sigmas around it. `logSigmas` is float32 and `sigma` float64; numpy 2 promotes their differences to float64,
 * while the bracket width `low - high` stays float32.
 */
export function sigmaToT(sigma: number, logSigmas: Float32Array): number {
  const logSigma = Math.log(Math.max(sigma, 1e-10));
  // numpy's cumsum(dists >= 0).argmax(): the last training sigma at or below this one, or 0 if there is none.
  let lastBelow = 0;
  logSigmas.forEach((l, i) => {
    if (logSigma - l >= 0) lastBelow = i;
  });
  const lowIdx = Math.min(lastBelow, logSigmas.length - 2);
  const low = logSigmas[lowIdx];
  const high = logSigmas[lowIdx + 1];
  const w = Math.min(Math.max((low - logSigma) / f32(low - high), 0), 1);
  return (1 - w) * lowIdx + w * (lowIdx + 1);
}
