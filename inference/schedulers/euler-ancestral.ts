/**
 * Euler ancestral, as diffusers' `EulerAncestralDiscreteScheduler`: an Euler step down to sigma_down, then fresh
 * noise of scale sigma_up, drawn at every step (the last included, where it is multiplied by 0).
 */
import { BaseScheduler } from './base';
import { int, oneOf, oneOfOrUnsupported, readConfig, type Spec } from './config';
import {
  alphasCumprod,
  betaFields,
  spacedTimesteps,
  TIMESTEP_SPACINGS,
  trainingBetas,
  trainingSigmas,
  withFiniteTerminalSigma,
  type BetaConfig,
  type TimestepSpacing,
} from './noise-schedule';
import { f32, interpOverIndex } from './numeric';
import { inputScale, predictOriginalKarras } from './prediction';
import type { StepOptions } from './types';

export interface EulerAncestralConfig extends BetaConfig {
  readonly prediction_type: 'epsilon' | 'v_prediction';
  readonly timestep_spacing: TimestepSpacing;
  readonly steps_offset: number;
}

const EULER_ANCESTRAL_CONFIG: Spec<EulerAncestralConfig> = {
  ...betaFields({ beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' }),
  prediction_type: oneOfOrUnsupported(['epsilon', 'v_prediction'], 'epsilon', {
    sample: "diffusers' EulerAncestralDiscreteScheduler does not implement it either",
  }),
  timestep_spacing: oneOf(TIMESTEP_SPACINGS, 'linspace'),
  steps_offset: int(0, { min: 0 }),
};

export class EulerAncestralScheduler extends BaseScheduler {
  readonly config: EulerAncestralConfig;
  private readonly trainSigmas: Float32Array;
  private currentSigmas: Float32Array;

  constructor(rawConfig: unknown) {
    super('euler-a');
    this.config = readConfig(rawConfig, EULER_ANCESTRAL_CONFIG);
    this.trainSigmas = trainingSigmas(withFiniteTerminalSigma(alphasCumprod(trainingBetas(this.config)), this.config));
    this.currentSigmas = Float32Array.from([...this.trainSigmas.slice().reverse(), 0]);
  }

  /** The sigmas of the schedule, ending with 0. */
  get sigmas(): Float32Array {
    return this.currentSigmas.slice();
  }

  get initNoiseSigma(): number {
    const max = this.currentSigmas.reduce((a, b) => Math.max(a, b), 0);
    return this.config.timestep_spacing === 'leading' ? inputScale(max) : max;
  }

  protected maxSteps(): number {
    return this.config.num_train_timesteps;
  }

  protected plan(steps: number): readonly number[] {
    const c = this.config;
    const timesteps = spacedTimesteps(c.timestep_spacing, c.num_train_timesteps, steps, c.steps_offset).map(f32);
    this.currentSigmas = Float32Array.from([...timesteps.map((t) => interpOverIndex(t, this.trainSigmas)), 0]);
    return timesteps;
  }

  protected override scale(sample: Float32Array, index: number): Float32Array {
    const scale = inputScale(this.currentSigmas[index]);
    return sample.map((x) => x / scale);
  }

  protected update(index: number, modelOutput: Float32Array, sample: Float32Array, options: StepOptions): Float32Array {
    const sigma = this.currentSigmas[index];
    const original = predictOriginalKarras(this.config.prediction_type, sigma, modelOutput, sample);
    const from2 = f32(sigma * sigma);
    const to = this.currentSigmas[index + 1];
    const to2 = f32(to * to);
    const sigmaUp = f32(Math.sqrt(f32(f32(to2 * f32(from2 - to2)) / from2)));
    const sigmaDown = f32(Math.sqrt(f32(to2 - f32(sigmaUp * sigmaUp))));
    const dt = f32(sigmaDown - sigma);
    const noise = this.noise(options, 'adding noise at every step');
    return sample.map((s, i) => {
      const derivative = f32(f32(s - original[i]) / sigma);
      return f32(f32(s + f32(derivative * dt)) + f32(noise[i] * sigmaUp));
    });
  }
}
