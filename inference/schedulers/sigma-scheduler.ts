/**
 * What diffusers' Karras-style discrete schedulers (Euler, Euler a) share: sigmas from the training schedule,
 * a sample scaled by 1 / sqrt(sigma² + 1) before the model, and the initial noise sigma.
 */
import { BaseScheduler } from './base';
import { alphasCumprod, trainingBetas, trainingSigmas, withFiniteTerminalSigma, type BetaConfig, type TimestepSpacing } from './noise-schedule';
import { inputScale } from './prediction';

export abstract class SigmaScheduler<C extends BetaConfig & { readonly timestep_spacing: TimestepSpacing }> extends BaseScheduler {
  protected readonly trainSigmas: Float32Array;
  /** The schedule's sigmas, one more than its timesteps: the last is the one the final step lands on. */
  protected currentSigmas: Float32Array;

  protected constructor(
    label: string,
    readonly config: C,
  ) {
    super(label);
    this.trainSigmas = trainingSigmas(withFiniteTerminalSigma(alphasCumprod(trainingBetas(config)), config));
    // Before setTimesteps diffusers holds the training sigmas, highest first, which initNoiseSigma reads.
    this.currentSigmas = Float32Array.from([...this.trainSigmas.slice().reverse(), 0]);
  }

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

  protected override scale(sample: Float32Array, index: number): Float32Array {
    const scale = inputScale(this.currentSigmas[index]);
    return sample.map((x) => x / scale);
  }
}
