/**
 * DDIM (Song et al. 2020, equations 12 and 16), as diffusers' `DDIMScheduler`, all in float32 scalars and
 * tensors. Like diffusers, the previous timestep is `t - num_train_timesteps // steps` whatever the spacing.
 */
import { BaseScheduler } from './base';
import { bool, int, oneOf, readConfig, type Spec } from './config';
import { SchedulerUsageError } from './errors';
import {
  alphasCumprod,
  betaFields,
  spacedTimesteps,
  TIMESTEP_SPACINGS,
  trainingBetas,
  type BetaConfig,
  type PredictionType,
  type TimestepSpacing,
} from './noise-schedule';
import { f32, roundHalfEven } from './numeric';
import { alphaRoots, predictOriginalDdpm } from './prediction';
import { clipFields, limitOriginal, thresholdFields, type ClipConfig, type ThresholdConfig } from './sample-ops';
import type { StepOptions } from './types';

/** DDIM's σ_t² for eta = 1: `(1 - ᾱ_prev) / (1 - ᾱ_t) · (1 - ᾱ_t / ᾱ_prev)`. */
export function ddimVariance(alphaProduct: number, alphaProductPrev: number): number {
  const beta = f32(1 - alphaProduct);
  const betaPrev = f32(1 - alphaProductPrev);
  return f32(f32(betaPrev / beta) * f32(1 - f32(alphaProduct / alphaProductPrev)));
}

export interface DdimConfig extends BetaConfig, ClipConfig, ThresholdConfig {
  readonly set_alpha_to_one: boolean;
  readonly steps_offset: number;
  readonly prediction_type: PredictionType;
  readonly timestep_spacing: TimestepSpacing;
}

const DDIM_CONFIG: Spec<DdimConfig> = {
  ...betaFields({ beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' }),
  ...clipFields(true),
  ...thresholdFields(),
  set_alpha_to_one: bool(true),
  steps_offset: int(0, { min: 0 }),
  prediction_type: oneOf(['epsilon', 'v_prediction', 'sample'], 'epsilon'),
  timestep_spacing: oneOf(TIMESTEP_SPACINGS, 'leading'),
};

export class DdimScheduler extends BaseScheduler {
  readonly config: DdimConfig;
  /** ᾱ of each training timestep, float32. */
  readonly alphasCumprod: Float32Array;
  /** The ᾱ "before" timestep 0: 1, or ᾱ_0 when set_alpha_to_one is false. */
  readonly finalAlphaCumprod: number;
  protected override readonly takesEta = true;
  private stepRatio = 0;

  constructor(rawConfig: unknown) {
    super('ddim');
    this.config = readConfig(rawConfig, DDIM_CONFIG);
    this.alphasCumprod = alphasCumprod(trainingBetas(this.config));
    this.finalAlphaCumprod = this.config.set_alpha_to_one ? 1 : this.alphasCumprod[0];
  }

  get initNoiseSigma(): number {
    return 1;
  }

  protected maxSteps(): number {
    return this.config.num_train_timesteps;
  }

  protected plan(steps: number): readonly number[] {
    const c = this.config;
    const timesteps = spacedTimesteps(c.timestep_spacing, c.num_train_timesteps, steps, c.steps_offset).map(roundHalfEven);
    const beyond = timesteps.find((t) => t >= c.num_train_timesteps);
    if (beyond !== undefined) {
      throw new SchedulerUsageError(
        `ddim: steps_offset ${c.steps_offset} with ${steps} steps puts timestep ${beyond} past the last training timestep ${c.num_train_timesteps - 1}`,
      );
    }
    this.stepRatio = Math.floor(c.num_train_timesteps / steps);
    return timesteps;
  }

  protected update(index: number, modelOutput: Float32Array, sample: Float32Array, options: StepOptions): Float32Array {
    const eta = options.eta ?? 0;
    const t = this.timesteps[index];
    const prevT = t - this.stepRatio;
    const alphaProduct = this.alphasCumprod[t];
    const alphaProductPrev = prevT >= 0 ? this.alphasCumprod[prevT] : this.finalAlphaCumprod;
    const root = alphaRoots(alphaProduct);

    let original = predictOriginalDdpm(this.config.prediction_type, alphaProduct, modelOutput, sample);
    const epsilon =
      this.config.prediction_type === 'epsilon'
        ? modelOutput
        : this.config.prediction_type === 'sample'
          ? sample.map((s, i) => f32(f32(s - f32(root.alpha * original[i])) / root.beta))
          : sample.map((s, i) => f32(f32(root.alpha * modelOutput[i]) + f32(root.beta * s)));
    original = limitOriginal(this.config, this.config.clip_sample ? this.config.clip_sample_range : null, original, options.shape);

    const stdDev = f32(f32(eta) * f32(Math.sqrt(ddimVariance(alphaProduct, alphaProductPrev))));
    const direction = f32(Math.sqrt(f32(f32(1 - alphaProductPrev) - f32(stdDev * stdDev))));
    const alphaPrevRoot = f32(Math.sqrt(alphaProductPrev));
    const previous = original.map((x, i) => f32(f32(alphaPrevRoot * x) + f32(direction * epsilon[i])));
    if (eta === 0) return previous;
    const noise = this.noise(options, 'eta > 0');
    return previous.map((x, i) => f32(x + f32(stdDev * noise[i])));
  }
}
