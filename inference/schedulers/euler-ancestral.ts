/**
 * Euler ancestral, as diffusers' `EulerAncestralDiscreteScheduler`: an Euler step down to sigma_down, then fresh
 * noise of scale sigma_up, drawn at every step (the last included, where it is multiplied by 0).
 */
import { int, oneOf, oneOfOrUnsupported, readConfig, type Spec } from './config';
import {
  betaFields,
  spacedTimesteps,
  TIMESTEP_SPACINGS,
  type BetaConfig,
  type TimestepSpacing,
} from './noise-schedule';
import { f32, interpOverIndex } from './numeric';
import { predictOriginalKarras } from './prediction';
import { SigmaScheduler } from './sigma-scheduler';
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

export class EulerAncestralScheduler extends SigmaScheduler<EulerAncestralConfig> {

  constructor(rawConfig: unknown) {
    super('euler-a', readConfig(rawConfig, EULER_ANCESTRAL_CONFIG));
  }

  protected plan(steps: number): readonly number[] {
    const c = this.config;
    const timesteps = spacedTimesteps(c.timestep_spacing, c.num_train_timesteps, steps, c.steps_offset).map(f32);
    this.currentSigmas = Float32Array.from([...timesteps.map((t) => interpOverIndex(t, this.trainSigmas)), 0]);
    return timesteps;
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
