/** Anything that draws standard normal noise the way `torch.randn(shape, generator=g)` does. */
export interface NoiseSource {
  randn(shape: readonly number[]): Float32Array;
}

export interface StepOptions {
  /**
   * The sample's shape, batch first. Noise is drawn with this shape, because torch's generator fills a tensor
   * in an order that depends on it, and dynamic thresholding works per batch item.
   */
  readonly shape: readonly number[];
  /** Required by the schedulers that add noise (Euler a, LCM, DPM-Solver's SDE variant, DDIM with eta > 0). */
  readonly generator?: NoiseSource;
  /** DDIM's η: 0 is deterministic DDIM, 1 is DDPM-like. Other schedulers reject it. */
  readonly eta?: number;
}

/**
 * One denoising schedule (CONVENTIONS.md 5). Samples are flat float32 arrays of any shape: the update is
 * element-wise. A scheduler is stateful between `setTimesteps` calls: it expects its timesteps in order.
 */
export interface Scheduler {
  /** Always 1 here, as for these schedulers in diffusers: one model evaluation per timestep. */
  readonly order: number;
  /** The standard deviation to scale the initial Gaussian latents by. */
  readonly initNoiseSigma: number;
  /** The schedule, highest timestep first; empty until `setTimesteps`. These are the values to feed the model. */
  readonly timesteps: readonly number[];
  setTimesteps(steps: number): void;
  /** The model input for timestep `t` (a new array, or `sample` itself where no scaling applies). */
  scaleModelInput(sample: Float32Array, t: number): Float32Array;
  /** The sample at the next (lower) timestep, as a new array. */
  step(modelOutput: Float32Array, t: number, sample: Float32Array, options: StepOptions): Float32Array;
}
