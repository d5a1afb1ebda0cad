/**
 * Latent Consistency Models (Luo et al. 2023), as diffusers' `LCMScheduler`: timesteps picked from the
 * distillation schedule, each step predicts x0 through the consistency boundary conditions and re-noises it to
 * the next timestep (except after the last).
 */
import { BaseScheduler } from './base';
import { bool, int, num, oneOf, readConfig, type Spec } from './config';
import { SchedulerConfigError } from './errors';
import { alphasCumprod, betaFields, trainingBetas, type BetaConfig, type PredictionType } from './noise-schedule';
import { f32, npLinspace } from './numeric';
import { alphaRoots, predictOriginalDdpm } from './prediction';
import { clipFields, limitOriginal, thresholdFields, type ClipConfig, type ThresholdConfig } from './sample-ops';
import type { StepOptions } from './types';

export interface LcmConfig extends BetaConfig, ClipConfig, ThresholdConfig {
  readonly original_inference_steps: number;
  readonly set_alpha_to_one: boolean;
  readonly prediction_type: PredictionType;
  readonly timestep_scaling: number;
}

// diffusers' LCMScheduler also takes timestep_spacing and steps_offset but its schedule reads neither, so they
// are left out here: ignored, as there.
const LCM_CONFIG: Spec<LcmConfig> = {
  ...betaFields({ beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear' }),
  ...clipFields(false),
  ...thresholdFields(),
  original_inference_steps: int(50, { min: 1 }),
  set_alpha_to_one: bool(true),
  prediction_type: oneOf(['epsilon', 'v_prediction', 'sample'], 'epsilon'),
  timestep_scaling: num(10, { above: 0 }),
};

/** The consistency model's c_skip and c_out at a timestep, float32 as computed from the timestep tensor. */
export function boundaryScalings(timestep: number, timestepScaling: number): { readonly skip: number; readonly out: number } {
  const sigmaData2 = 0.25;
  const scaled = f32(f32(timestep) * f32(timestepScaling));
  const scaled2 = f32(scaled * scaled);
  return {
    skip: f32(sigmaData2 / f32(scaled2 + sigmaData2)),
    out: f32(scaled / f32(Math.sqrt(f32(scaled2 + sigmaData2)))),
  };
}

export class LcmScheduler extends BaseScheduler {
  readonly config: LcmConfig;
  /** ᾱ of each training timestep, float32. */
  readonly alphasCumprod: Float32Array;
  private readonly finalAlphaCumprod: number;

  constructor(rawConfig: unknown) {
    super('lcm');
    this.config = readConfig(rawConfig, LCM_CONFIG);
    if (this.config.original_inference_steps > this.config.num_train_timesteps) {
      throw new SchedulerConfigError(
        `scheduler_config.json: "original_inference_steps" ${this.config.original_inference_steps} is more than "num_train_timesteps" ${this.config.num_train_timesteps}`,
      );
    }
    this.alphasCumprod = alphasCumprod(trainingBetas(this.config));
    this.finalAlphaCumprod = this.config.set_alpha_to_one ? 1 : this.alphasCumprod[0];
  }

  get initNoiseSigma(): number {
    return 1;
  }

  /** The step count can be at most the distillation schedule's length, of which the schedule is a subset. */
  protected maxSteps(): number {
    return this.config.original_inference_steps;
  }

  protected plan(steps: number): readonly number[] {
    const original = this.config.original_inference_steps;
    const skip = Math.floor(this.config.num_train_timesteps / original);
    // The distillation schedule k - 1, 2k - 1, …, highest first; then `steps` of its indices, evenly spaced.
    const origin = Array.from({ length: original }, (_, i) => (original - i) * skip - 1);
    return npLinspace(0, original, steps, false).map((x) => origin[Math.floor(x)]);
  }

  protected update(index: number, modelOutput: Float32Array, sample: Float32Array, options: StepOptions): Float32Array {
    const c = this.config;
    const timesteps = this.timesteps;
    const t = timesteps[index];
    const last = index === timesteps.length - 1;
    const alphaProduct = this.alphasCumprod[t];
    const scalings = boundaryScalings(t, c.timestep_scaling);
    let original = predictOriginalDdpm(c.prediction_type, alphaProduct, modelOutput, sample);
    original = limitOriginal(c, c.clip_sample ? c.clip_sample_range : null, original, options.shape);
    const denoised = original.map((x, i) => f32(f32(scalings.out * x) + f32(scalings.skip * sample[i])));
    // No noise after the last timestep, so one-step sampling is deterministic.
    if (last) return denoised;
    const prevT = timesteps[index + 1];
    const prev = alphaRoots(prevT >= 0 ? this.alphasCumprod[prevT] : this.finalAlphaCumprod);
    const noise = this.noise(options, 're-noising between steps');
    return denoised.map((x, i) => f32(f32(prev.alpha * x) + f32(prev.beta * noise[i])));
  }
}
