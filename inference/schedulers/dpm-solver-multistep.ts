/**
 * DPM-Solver++ multistep (Lu et al. 2022, arXiv 2211.01095) and its SDE variant, as diffusers'
 * `DPMSolverMultistepScheduler` with `algorithm_type` "dpmsolver++" (DPM++ 2M) or "sde-dpmsolver++"
 * (DPM++ 2M SDE). The noise-prediction variants "dpmsolver" and "sde-dpmsolver", which diffusers deprecates,
 * are refused. Sigmas are float32; each update is float32 scalar and tensor arithmetic, as in diffusers.
 */
import { BaseScheduler } from './base';
import { SchedulerConfigError, SchedulerUsageError } from './errors';
import { bool, int, num, oneOf, oneOfOrUnsupported, optionalPositive, readConfig, unsupportedSwitch, type Field, type Spec } from './config';
import {
  alphasCumprod,
  betaFields,
  dpmSpacedTimesteps,
  exponentialSigmas,
  karrasSigmas,
  logF32,
  sigmaToT,
  TIMESTEP_SPACINGS,
  trainingBetas,
  trainingSigmas,
  withFiniteTerminalSigma,
  type BetaConfig,
  type PredictionType,
  type TimestepSpacing,
} from './noise-schedule';
import { f32, interpOverIndex, npLinspace, roundHalfEven } from './numeric';
import { limitOriginal, thresholdFields, type ThresholdConfig } from './sample-ops';
import type { StepOptions } from './types';

type Algorithm = 'dpmsolver++' | 'sde-dpmsolver++';
type SolverType = 'midpoint' | 'heun';

export interface DpmSolverConfig extends BetaConfig, ThresholdConfig {
  readonly solver_order: number;
  readonly prediction_type: PredictionType;
  readonly algorithm_type: Algorithm;
  readonly solver_type: SolverType;
  readonly lower_order_final: boolean;
  readonly euler_at_final: boolean;
  readonly use_karras_sigmas: boolean;
  readonly use_exponential_sigmas: boolean;
  readonly use_beta_sigmas: false;
  readonly use_lu_lambdas: boolean;
  readonly use_flow_sigmas: false;
  readonly final_sigmas_type: 'zero' | 'sigma_min';
  readonly lambda_min_clipped: number;
  readonly variance_type: 'learned' | 'learned_range' | null;
  readonly timestep_spacing: TimestepSpacing;
  readonly steps_offset: number;
  readonly sigma_min: number | null;
  readonly sigma_max: number | null;
}

/** diffusers maps DEIS's algorithm to DPM-Solver++ so that a DEIS config loads. */
function algorithmField(): Field<Algorithm> {
  const field = oneOfOrUnsupported(['dpmsolver++', 'sde-dpmsolver++'], 'dpmsolver++', {
    dpmsolver: 'deprecated in diffusers; use "dpmsolver++"',
    'sde-dpmsolver': 'deprecated in diffusers; use "sde-dpmsolver++"',
  });
  return { fallback: field.fallback, read: (value, key) => (value === 'deis' ? 'dpmsolver++' : field.read(value, key)) };
}

/** diffusers maps DEIS's and UniPC's solver types to midpoint so that their configs load. */
function solverTypeField(): Field<SolverType> {
  const field = oneOf(['midpoint', 'heun'], 'midpoint');
  return {
    fallback: field.fallback,
    read: (value, key) => (value === 'logrho' || value === 'bh1' || value === 'bh2' ? 'midpoint' : field.read(value, key)),
  };
}

function varianceTypeField(): Field<'learned' | 'learned_range' | null> {
  const field = oneOf(['learned', 'learned_range'], 'learned');
  return { fallback: null, read: (value, key) => field.read(value, key) };
}

const DPM_SOLVER_CONFIG: Spec<DpmSolverConfig> = {
  ...betaFields({ beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' }),
  ...thresholdFields(),
  solver_order: int(2, { min: 1, max: 3 }),
  prediction_type: oneOfOrUnsupported(['epsilon', 'sample', 'v_prediction'], 'epsilon', {
    flow_prediction: 'flow-matching models are not Stable Diffusion-family models',
  }),
  algorithm_type: algorithmField(),
  solver_type: solverTypeField(),
  lower_order_final: bool(true),
  euler_at_final: bool(false),
  use_karras_sigmas: bool(false),
  use_exponential_sigmas: bool(false),
  use_beta_sigmas: unsupportedSwitch('beta sigmas need the inverse of the beta distribution, not implemented here'),
  use_lu_lambdas: bool(false),
  use_flow_sigmas: unsupportedSwitch('flow-matching models are not Stable Diffusion-family models'),
  final_sigmas_type: oneOf(['zero', 'sigma_min'], 'zero'),
  lambda_min_clipped: num(-Infinity),
  variance_type: varianceTypeField(),
  timestep_spacing: oneOf(TIMESTEP_SPACINGS, 'linspace'),
  steps_offset: int(0, { min: 0 }),
  // Not arguments of diffusers' DPMSolverMultistepScheduler, but its Karras and exponential sigmas read them
  // when the config file has them.
  sigma_min: optionalPositive(),
  sigma_max: optionalPositive(),
};

/** α_t = 1 / √(σ² + 1) and σ_t = σ · α_t of a sigma, and λ = ln α_t - ln σ_t, in float32. */
function vpCoefficients(sigma: number): { readonly alpha: number; readonly sigma: number; readonly lambda: number } {
  const alpha = f32(1 / f32(Math.sqrt(f32(f32(sigma * sigma) + 1))));
  const sigmaT = f32(sigma * alpha);
  return { alpha, sigma: sigmaT, lambda: f32(f32(Math.log(alpha)) - f32(Math.log(sigmaT))) };
}

const expF32 = (x: number): number => f32(Math.exp(x));

export class DpmSolverMultistepScheduler extends BaseScheduler {
  readonly config: DpmSolverConfig;
  private readonly trainSigmas: Float32Array;
  private readonly logSigmas: Float32Array;
  private readonly lastTimestep: number;
  private currentSigmas = new Float32Array(0);
  /** The data predictions (x0) of the last `solver_order` steps, oldest first. */
  private modelOutputs: (Float32Array | null)[] = [];
  private lowerOrderNums = 0;

  constructor(rawConfig: unknown) {
    super('dpmpp-2m');
    this.config = readConfig(rawConfig, DPM_SOLVER_CONFIG);
    const c = this.config;
    const switches = [c.use_karras_sigmas, c.use_exponential_sigmas, c.use_lu_lambdas].filter(Boolean).length;
    if (switches > 1) {
      throw new SchedulerConfigError(
        'scheduler_config.json: only one of "use_karras_sigmas", "use_exponential_sigmas" and "use_lu_lambdas" can be true',
      );
    }
    const alphas = withFiniteTerminalSigma(alphasCumprod(trainingBetas(c)), c);
    this.trainSigmas = trainingSigmas(alphas);
    this.logSigmas = logF32(this.trainSigmas);
    // λ(t) of the training schedule, lowest first; timesteps whose λ is below lambda_min_clipped are not used
    // (this matters for the cosine schedule).
    const lambdas = alphas.map((a) => f32(f32(Math.log(f32(Math.sqrt(a)))) - f32(Math.log(f32(Math.sqrt(f32(1 - a)))))));
    const threshold = f32(c.lambda_min_clipped);
    const clipped = lambdas.reverse().filter((l) => l < threshold).length;
    this.lastTimestep = c.num_train_timesteps - clipped;
  }

  get initNoiseSigma(): number {
    return 1;
  }

  /** The sigmas of the schedule, one more than the timesteps. */
  get sigmas(): Float32Array {
    return this.currentSigmas.slice();
  }

  protected maxSteps(): number {
    return this.config.num_train_timesteps;
  }

  protected plan(steps: number): readonly number[] {
    const c = this.config;
    let timesteps = dpmSpacedTimesteps(c.timestep_spacing, c.num_train_timesteps, this.lastTimestep, steps, c.steps_offset);
    const train = this.trainSigmas;
    let sigmas: number[];
    // The cosine schedule keeps fractional timesteps from sigmas (truncated to integers below).
    const round = (t: number): number => (c.beta_schedule === 'squaredcos_cap_v2' ? t : roundHalfEven(t));
    if (c.use_karras_sigmas || c.use_exponential_sigmas) {
      const sigmaMin = c.sigma_min ?? train[0];
      const sigmaMax = c.sigma_max ?? train[train.length - 1];
      sigmas = c.use_karras_sigmas ? karrasSigmas(sigmaMin, sigmaMax, steps) : exponentialSigmas(sigmaMin, sigmaMax, steps);
      timesteps = sigmas.map((s) => sigmaToT(s, this.logSigmas));
      if (c.use_karras_sigmas) timesteps = timesteps.map(round);
    } else if (c.use_lu_lambdas) {
      // Lu et al.'s uniform-λ steps: evenly spaced in log sigma between the training extremes.
      const lambdaMin = this.logSigmas[0];
      const lambdaMax = this.logSigmas[this.logSigmas.length - 1];
      sigmas = npLinspace(0, 1, steps).map((r) => Math.exp(lambdaMax + r * (lambdaMin - lambdaMax)));
      timesteps = sigmas.map((s) => round(sigmaToT(s, this.logSigmas)));
    } else {
      sigmas = timesteps.map((t) => interpOverIndex(t, train));
    }
    const last = c.final_sigmas_type === 'zero' ? 0 : train[0];
    this.currentSigmas = Float32Array.from([...sigmas, last]);
    this.modelOutputs = Array.from({ length: c.solver_order }, () => null);
    this.lowerOrderNums = 0;
    // diffusers converts with `.to(torch.int64)`, which truncates.
    return timesteps.map(Math.trunc);
  }

  /** With a learned variance the model predicts 2C channels; diffusers keeps the first three, the mean. */
  protected override modelOutputFor(modelOutput: Float32Array, shape: readonly number[], sampleLength: number): Float32Array {
    if (this.config.variance_type === null || this.config.prediction_type !== 'epsilon') {
      return super.modelOutputFor(modelOutput, shape, sampleLength);
    }
    const [batch, channels = 1] = shape;
    const plane = sampleLength / (batch * channels);
    const outputChannels = modelOutput.length / (batch * plane);
    if (channels !== 3 || !Number.isInteger(outputChannels) || outputChannels < 3) {
      throw new SchedulerUsageError(
        `dpmpp-2m: with a learned variance the sample must have 3 channels and the model output at least 3; got shape [${shape.join(', ')}] and ${modelOutput.length} output values`,
      );
    }
    const mean = new Float32Array(sampleLength);
    for (let b = 0; b < batch; b++) {
      mean.set(modelOutput.subarray(b * outputChannels * plane, (b * outputChannels + 3) * plane), b * 3 * plane);
    }
    return mean;
  }

  protected update(index: number, modelOutput: Float32Array, sample: Float32Array, options: StepOptions): Float32Array {
    const c = this.config;
    const count = this.timesteps.length;
    // Lower orders at the end improve stability for few steps; a final sigma of 0 needs a first-order step.
    const lowerOrderFinal =
      index === count - 1 && (c.euler_at_final || (c.lower_order_final && count < 15) || c.final_sigmas_type === 'zero');
    const lowerOrderSecond = index === count - 2 && c.lower_order_final && count < 15;

    const dataPrediction = this.convertModelOutput(index, modelOutput, sample, options.shape);
    this.modelOutputs = [...this.modelOutputs.slice(1), dataPrediction];
    const noise = c.algorithm_type === 'sde-dpmsolver++' ? this.noise(options, 'sde-dpmsolver++') : null;

    let next: Float32Array;
    if (c.solver_order === 1 || this.lowerOrderNums < 1 || lowerOrderFinal) {
      next = this.firstOrder(index, dataPrediction, sample, noise);
    } else if (c.solver_order === 2 || this.lowerOrderNums < 2 || lowerOrderSecond) {
      next = this.secondOrder(index, sample, noise);
    } else {
      next = this.thirdOrder(index, sample, noise);
    }
    if (this.lowerOrderNums < c.solver_order) this.lowerOrderNums += 1;
    return next;
  }

  /** DPM-Solver++ integrates the data prediction x0. */
  private convertModelOutput(index: number, modelOutput: Float32Array, sample: Float32Array, shape: readonly number[]): Float32Array {
    const c = this.config;
    const { alpha, sigma } = vpCoefficients(this.currentSigmas[index]);
    let original: Float32Array;
    if (c.prediction_type === 'epsilon') original = sample.map((s, i) => f32(f32(s - f32(sigma * modelOutput[i])) / alpha));
    else if (c.prediction_type === 'sample') original = modelOutput;
    else original = sample.map((s, i) => f32(f32(alpha * s) - f32(sigma * modelOutput[i])));
    return limitOriginal(c, null, original, shape);
  }

  private output(age: number): Float32Array {
    const output = this.modelOutputs[this.modelOutputs.length - 1 - age];
    if (!output) throw new SchedulerUsageError(`dpmpp-2m: no model output ${age} steps back`);
    return output;
  }

  private firstOrder(index: number, m0: Float32Array, sample: Float32Array, noise: Float32Array | null): Float32Array {
    const t = vpCoefficients(this.currentSigmas[index + 1]);
    const s0 = vpCoefficients(this.currentSigmas[index]);
    const h = f32(t.lambda - s0.lambda);
    const ratio = f32(t.sigma / s0.sigma);
    if (noise === null) {
      const d0 = f32(t.alpha * f32(expF32(-h) - 1));
      return sample.map((x, i) => f32(f32(ratio * x) - f32(d0 * m0[i])));
    }
    const e2 = expF32(f32(-2 * h));
    const a = f32(ratio * expF32(-h));
    const d0 = f32(t.alpha * f32(1 - e2));
    const z = f32(t.sigma * f32(Math.sqrt(f32(1 - e2))));
    return sample.map((x, i) => f32(f32(f32(a * x) + f32(d0 * m0[i])) + f32(z * noise[i])));
  }

  private secondOrder(index: number, sample: Float32Array, noise: Float32Array | null): Float32Array {
    const c = this.config;
    const t = vpCoefficients(this.currentSigmas[index + 1]);
    const s0 = vpCoefficients(this.currentSigmas[index]);
    const s1 = vpCoefficients(this.currentSigmas[index - 1]);
    const m0 = this.output(0);
    const m1 = this.output(1);
    const h = f32(t.lambda - s0.lambda);
    const r0 = f32(f32(s0.lambda - s1.lambda) / h);
    const inverseR0 = f32(1 / r0);
    const d1 = (i: number): number => f32(inverseR0 * f32(m0[i] - m1[i]));
    const ratio = f32(t.sigma / s0.sigma);
    if (noise === null) {
      const em1 = f32(expF32(-h) - 1);
      const c0 = f32(t.alpha * em1);
      // midpoint: - ½ α_t (e^{-h} - 1) D1; heun: + α_t ((e^{-h} - 1) / h + 1) D1.
      if (c.solver_type === 'midpoint') {
        const c1 = f32(0.5 * c0);
        return sample.map((x, i) => f32(f32(f32(ratio * x) - f32(c0 * m0[i])) - f32(c1 * d1(i))));
      }
      const c1 = f32(t.alpha * f32(f32(em1 / h) + 1));
      return sample.map((x, i) => f32(f32(f32(ratio * x) - f32(c0 * m0[i])) + f32(c1 * d1(i))));
    }
    const e2 = expF32(f32(-2 * h));
    const a = f32(ratio * expF32(-h));
    const c0 = f32(t.alpha * f32(1 - e2));
    const c1 = c.solver_type === 'midpoint' ? f32(0.5 * c0) : f32(t.alpha * f32(f32(f32(1 - e2) / f32(-2 * h)) + 1));
    const z = f32(t.sigma * f32(Math.sqrt(f32(1 - e2))));
    return sample.map((x, i) => f32(f32(f32(f32(a * x) + f32(c0 * m0[i])) + f32(c1 * d1(i))) + f32(z * noise[i])));
  }

  private thirdOrder(index: number, sample: Float32Array, noise: Float32Array | null): Float32Array {
    const t = vpCoefficients(this.currentSigmas[index + 1]);
    const s0 = vpCoefficients(this.currentSigmas[index]);
    const s1 = vpCoefficients(this.currentSigmas[index - 1]);
    const s2 = vpCoefficients(this.currentSigmas[index - 2]);
    const m0 = this.output(0);
    const m1 = this.output(1);
    const m2 = this.output(2);
    const h = f32(t.lambda - s0.lambda);
    const r0 = f32(f32(s0.lambda - s1.lambda) / h);
    const r1 = f32(f32(s1.lambda - s2.lambda) / h);
    const inverseR0 = f32(1 / r0);
    const inverseR1 = f32(1 / r1);
    const r0Share = f32(r0 / f32(r0 + r1));
    const inverseSum = f32(1 / f32(r0 + r1));
    const ratio = f32(t.sigma / s0.sigma);
    let a: number, c0: number, c1: number, c2: number, z: number;
    if (noise === null) {
      const em1 = f32(expF32(-h) - 1);
      a = ratio;
      c0 = f32(-f32(t.alpha * em1));
      c1 = f32(t.alpha * f32(f32(em1 / h) + 1));
      c2 = f32(-f32(t.alpha * f32(f32(f32(em1 + h) / f32(h * h)) - 0.5)));
      z = 0;
    } else {
      const e2 = expF32(f32(-2 * h));
      const h2 = f32(2 * h);
      a = f32(ratio * expF32(-h));
      c0 = f32(t.alpha * f32(1 - e2));
      c1 = f32(t.alpha * f32(f32(f32(1 - e2) / f32(-2 * h)) + 1));
      c2 = f32(t.alpha * f32(f32(f32(f32(1 - e2) - h2) / f32(h2 * h2)) - 0.5));
      z = f32(t.sigma * f32(Math.sqrt(f32(1 - e2))));
    }
    return sample.map((x, i) => {
      const d10 = f32(inverseR0 * f32(m0[i] - m1[i]));
      const d11 = f32(inverseR1 * f32(m1[i] - m2[i]));
      const d1 = f32(d10 + f32(r0Share * f32(d10 - d11)));
      const d2 = f32(inverseSum * f32(d10 - d11));
      const value = f32(f32(f32(a * x) + f32(c0 * m0[i])) + f32(c1 * d1)) + f32(c2 * d2);
      return noise === null ? f32(value) : f32(f32(value) + f32(z * noise[i]));
    });
  }
}
