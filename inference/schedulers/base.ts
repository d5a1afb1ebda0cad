/** What every scheduler does the same way: step bookkeeping and the checks on what callers pass in. */
import { TimestepCursor } from './cursor';
import { SchedulerUsageError } from './errors';
import type { NoiseSource, Scheduler, StepOptions } from './types';

export abstract class BaseScheduler implements Scheduler {
  readonly order = 1;
  protected readonly cursor: TimestepCursor;

  protected constructor(protected readonly label: string) {
    this.cursor = new TimestepCursor(label);
  }

  abstract get initNoiseSigma(): number;

  get timesteps(): readonly number[] {
    return this.cursor.timesteps;
  }

  /** The largest step count this configuration can schedule. */
  protected abstract maxSteps(): number;

  /** Computes the schedule for `steps` (and whatever the scheduler derives from it), highest timestep first. */
  protected abstract plan(steps: number): readonly number[];

  /** The update for the timestep at `index`, on arrays already checked against `options.shape`. */
  protected abstract update(index: number, modelOutput: Float32Array, sample: Float32Array, options: StepOptions): Float32Array;

  /** Whether `step` takes DDIM's η. */
  protected readonly takesEta: boolean = false;

  setTimesteps(steps: number): void {
    const max = this.maxSteps();
    if (!Number.isInteger(steps) || steps < 1 || steps > max) {
      throw new SchedulerUsageError(`${this.label}: steps must be an integer from 1 to ${max}; got ${steps}`);
    }
    this.cursor.reset(this.plan(steps));
  }

  scaleModelInput(sample: Float32Array, t: number): Float32Array {
    return this.scale(sample, this.cursor.locate(t, 'scaleModelInput'));
  }

  /** The model input at `index`; most schedulers feed the sample as it is. */
  protected scale(sample: Float32Array, _index: number): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, options: StepOptions): Float32Array {
    const { shape } = options;
    if (shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new SchedulerUsageError(`${this.label}: shape must be positive integers, batch first; got [${shape.join(', ')}]`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (sample.length !== size) {
      throw new SchedulerUsageError(`${this.label}: sample has ${sample.length} values but shape [${shape.join(', ')}] has ${size}`);
    }
    if (options.eta !== undefined && !this.takesEta) {
      throw new SchedulerUsageError(`${this.label}: eta is a DDIM option; got eta ${options.eta}`);
    }
    if (options.eta !== undefined && !(Number.isFinite(options.eta) && options.eta >= 0)) {
      throw new SchedulerUsageError(`${this.label}: eta must be a number >= 0; got ${options.eta}`);
    }
    const output = this.modelOutputFor(modelOutput, shape, sample.length);
    const index = this.cursor.locate(t, 'step');
    const next = this.update(index, output, sample, options);
    this.cursor.advance();
    return next;
  }

  /** The part of the model output that the update reads: by default all of it, the same size as the sample. */
  protected modelOutputFor(modelOutput: Float32Array, _shape: readonly number[], sampleLength: number): Float32Array {
    if (modelOutput.length !== sampleLength) {
      throw new SchedulerUsageError(`${this.label}: model output has ${modelOutput.length} values, the sample ${sampleLength}`);
    }
    return modelOutput;
  }

  /**
   * Standard normal noise the size of the sample, as `randn_tensor(model_output.shape, generator)` draws it;
   * `why` names what needs it, for the error when no generator was given.
   */
  protected noise(options: StepOptions, why: string): Float32Array {
    const generator: NoiseSource | undefined = options.generator;
    if (generator === undefined) {
      throw new SchedulerUsageError(`${this.label}: ${why} needs a generator, so that the noise is reproducible`);
    }
    const noise = generator.randn(options.shape);
    const size = options.shape.reduce((a, b) => a * b, 1);
    if (noise.length !== size) {
      throw new SchedulerUsageError(`${this.label}: the generator returned ${noise.length} values for ${size}`);
    }
    return noise;
  }
}
