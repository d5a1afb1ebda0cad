/**
 * Euler (Karras et al. 2022, Algorithm 2), as diffusers' `EulerDiscreteScheduler`: sigmas in float64 numpy
 * interpolated from the float32 training sigmas, stored as float32; the update in float32.
 */
import { bool, int, oneOf, optionalPositive, readConfig, unsupportedSwitch, type Spec } from './config';
import { SchedulerConfigError } from './errors';
import {
  betaFields,
  exponentialSigmas,
  karrasSigmas,
  logF32,
  sigmaToT,
  spacedTimesteps,
  TIMESTEP_SPACINGS,
  type BetaConfig,
  type PredictionType,
  type TimestepSpacing,
} from './noise-schedule';
import { f32, interpOverIndex, torchLinspaceF32 } from './numeric';
import { predictOriginalKarras } from './prediction';
import { SigmaScheduler } from './sigma-scheduler';
import type { StepOptions } from './types';

export interface EulerConfig extends BetaConfig {
  readonly prediction_type: PredictionType;
  readonly interpolation_type: 'linear' | 'log_linear';
  readonly use_karras_sigmas: boolean;
  readonly use_exponential_sigmas: boolean;
  readonly use_beta_sigmas: false;
  readonly sigma_min: number | null;
  readonly sigma_max: number | null;
  readonly timestep_spacing: TimestepSpacing;
  readonly timestep_type: 'discrete' | 'continuous';
  readonly steps_offset: number;
  readonly final_sigmas_type: 'zero' | 'sigma_min';
}

const EULER_CONFIG: Spec<EulerConfig> = {
  ...betaFields({ beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' }),
  prediction_type: oneOf(['epsilon', 'v_prediction', 'sample'], 'epsilon'),
  interpolation_type: oneOf(['linear', 'log_linear'], 'linear'),
  use_karras_sigmas: bool(false),
  use_exponential_sigmas: bool(false),
  use_beta_sigmas: unsupportedSwitch('beta sigmas need the inverse of the beta distribution, not implemented here'),
  sigma_min: optionalPositive(),
  sigma_max: optionalPositive(),
  timestep_spacing: oneOf(TIMESTEP_SPACINGS, 'linspace'),
  timestep_type: oneOf(['discrete', 'continuous'], 'discrete'),
  steps_offset: int(0, { min: 0 }),
  final_sigmas_type: oneOf(['zero', 'sigma_min'], 'zero'),
};

export class EulerScheduler extends SigmaScheduler<EulerConfig> {
  private readonly logSigmas: Float32Array;

  constructor(rawConfig: unknown) {
    super('euler', readConfig(rawConfig, EULER_CONFIG));
    if (this.config.use_karras_sigmas && this.config.use_exponential_sigmas) {
      throw new SchedulerConfigError(
        'scheduler_config.json: only one of "use_karras_sigmas" and "use_exponential_sigmas" can be true',
      );
    }
    this.logSigmas = logF32(this.trainSigmas);
  }

  protected plan(steps: number): readonly number[] {
    const c = this.config;
    let timesteps = spacedTimesteps(c.timestep_spacing, c.num_train_timesteps, steps, c.steps_offset).map(f32);
    const train = this.trainSigmas;
    let sigmas: ArrayLike<number> =
      c.interpolation_type === 'linear'
        ? timesteps.map((t) => interpOverIndex(t, train))
        : // Log-linear: n + 1 float32 sigmas from the largest training sigma to the smallest, which the final
          // step lands on instead of 0 (diffusers' own behaviour).
          torchLinspaceF32(f32(Math.log(train[train.length - 1])), f32(Math.log(train[0])), steps + 1).map((l) =>
            f32(Math.exp(l)),
          );
    if (c.use_karras_sigmas || c.use_exponential_sigmas) {
      const sigmaMin = c.sigma_min ?? sigmas[sigmas.length - 1];
      const sigmaMax = c.sigma_max ?? sigmas[0];
      sigmas = c.use_karras_sigmas ? karrasSigmas(sigmaMin, sigmaMax, steps) : exponentialSigmas(sigmaMin, sigmaMax, steps);
      timesteps = Array.from(sigmas, (s) => f32(sigmaToT(s, this.logSigmas)));
    }
    const last = c.final_sigmas_type === 'zero' ? 0 : train[0];
    this.currentSigmas = Float32Array.from([...Array.from(sigmas), last]);
    if (c.timestep_type === 'continuous' && c.prediction_type === 'v_prediction') {
      // EDM-style continuous timesteps, 0.25 · ln(sigma), for the v-prediction models trained on them.
      return Array.from(this.currentSigmas.subarray(0, -1), (s) => 0.25 * f32(Math.log(s)));
    }
    return timesteps;
  }

  protected update(index: number, modelOutput: Float32Array, sample: Float32Array, _options: StepOptions): Float32Array {
    // With diffusers' default s_churn = 0 no noise is added, so sigma_hat = sigma.
    const sigma = this.currentSigmas[index];
    const original = predictOriginalKarras(this.config.prediction_type, sigma, modelOutput, sample);
    const dt = f32(this.currentSigmas[index + 1] - sigma);
    return sample.map((s, i) => {
      const derivative = f32(f32(s - original[i]) / sigma);
      return f32(s + f32(derivative * dt));
    });
  }
}
