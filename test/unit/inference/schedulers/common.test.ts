/**
 * The suite every scheduler passes, after diffusers' SchedulerCommonTest (tests/schedulers/test_schedulers.py):
 * each case is a scheduler with the config its own diffusers test class uses.
 */
import { describe, expect, it } from 'vitest';
import {
  createScheduler,
  isSchedulerName,
  SCHEDULER_NAMES,
  SchedulerConfigError,
  SchedulerUsageError,
  type SchedulerName,
} from '../../../../inference/schedulers';
import { TorchGenerator } from '../../../../inference/rng';
import { dummyModel, dummySampleDeter, fullLoop, SHAPE } from './diffusers-fixtures';

interface SchedulerCase {
  readonly name: SchedulerName;
  /** `get_scheduler_config()` of the scheduler's diffusers test class. */
  readonly config: Readonly<Record<string, unknown>>;
  /** The test class's default step count. */
  readonly steps: number;
  readonly maxSteps: number;
  readonly predictions: readonly string[];
  /** Whether every step draws noise (so needs a generator). */
  readonly noisy: boolean;
  /** Whether scaleModelInput divides by √(σ² + 1). */
  readonly scalesInput: boolean;
}

const LINEAR = { beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' };

const CASES: readonly SchedulerCase[] = [
  {
    name: 'euler',
    config: { num_train_timesteps: 1100, ...LINEAR },
    steps: 10,
    maxSteps: 1100,
    predictions: ['epsilon', 'v_prediction', 'sample'],
    noisy: false,
    scalesInput: true,
  },
  {
    name: 'euler-a',
    config: { num_train_timesteps: 1100, ...LINEAR },
    steps: 10,
    maxSteps: 1100,
    predictions: ['epsilon', 'v_prediction'],
    noisy: true,
    scalesInput: true,
  },
  {
    name: 'ddim',
    config: { num_train_timesteps: 1000, ...LINEAR, clip_sample: true },
    steps: 50,
    maxSteps: 1000,
    predictions: ['epsilon', 'v_prediction', 'sample'],
    noisy: false,
    scalesInput: false,
  },
  {
    name: 'dpmpp-2m',
    config: {
      num_train_timesteps: 1000,
      ...LINEAR,
      solver_order: 2,
      prediction_type: 'epsilon',
      thresholding: false,
      sample_max_value: 1.0,
      algorithm_type: 'dpmsolver++',
      solver_type: 'midpoint',
      lower_order_final: false,
      euler_at_final: false,
      variance_type: null,
      final_sigmas_type: 'sigma_min',
    },
    steps: 25,
    maxSteps: 1000,
    predictions: ['epsilon', 'v_prediction', 'sample'],
    noisy: false,
    scalesInput: false,
  },
  {
    name: 'lcm',
    config: { num_train_timesteps: 1000, beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', prediction_type: 'epsilon' },
    steps: 10,
    maxSteps: 50,
    predictions: ['epsilon', 'v_prediction', 'sample'],
    noisy: true,
    scalesInput: false,
  },
];

/** diffusers' `dummy_sample` is torch.rand; a seeded one keeps these tests reproducible. */
function dummySample(): Float32Array {
  return new TorchGenerator(1).rand(SHAPE);
}

function scaled(values: Float32Array, factor: number): Float32Array {
  return values.map((x) => x * factor);
}

it('lists the five schedulers', () => {
  expect(SCHEDULER_NAMES).toEqual(['euler', 'euler-a', 'ddim', 'dpmpp-2m', 'lcm']);
  expect(CASES.map((c) => c.name)).toEqual(SCHEDULER_NAMES);
  expect(isSchedulerName('dpmpp-2m')).toBe(true);
  expect(isSchedulerName('pndm')).toBe(false);
});

describe.each(CASES)('$name', (c) => {
  const create = (extra: Readonly<Record<string, unknown>> = {}) => createScheduler(c.name, { ...c.config, ...extra });
  const options = () => ({ shape: SHAPE, generator: new TorchGenerator(0) });

  it('has no timesteps until setTimesteps, then `steps` of them, highest first (test_timesteps)', () => {
    const scheduler = create();
    expect(scheduler.timesteps).toEqual([]);
    expect(scheduler.order).toBe(1);
    scheduler.setTimesteps(c.steps);
    const timesteps = scheduler.timesteps;
    expect(timesteps).toHaveLength(c.steps);
    for (let i = 1; i < timesteps.length; i++) expect(timesteps[i]).toBeLessThan(timesteps[i - 1]);
    expect(Object.isFrozen(timesteps)).toBe(true);
  });

  it('steps to a new array of the sample size, leaving its inputs alone (test_step_shape)', () => {
    const scheduler = create();
    scheduler.setTimesteps(c.steps);
    const sample = dummySample();
    const residual = scaled(sample, 0.1);
    const before = [sample.slice(), residual.slice()];
    const [t0, t1] = scheduler.timesteps;
    const output0 = scheduler.step(residual, t0, sample, options());
    const output1 = scheduler.step(residual, t1, sample, options());
    expect(output0).toHaveLength(sample.length);
    expect(output1).toHaveLength(sample.length);
    expect(output0).not.toBe(sample);
    expect([sample, residual]).toEqual(before);
    expect(output0.every(Number.isFinite)).toBe(true);
  });

  it('gives identical outputs for the same config and seed, read back through JSON (test_from_save_pretrained)', () => {
    const first = create();
    const second = createScheduler(c.name, JSON.parse(JSON.stringify({ _class_name: 'Saved', ...c.config })));
    first.setTimesteps(c.steps);
    second.setTimesteps(c.steps);
    const sample = dummySample();
    const residual = scaled(sample, 0.1);
    const t = first.timesteps[0];
    first.scaleModelInput(sample, t);
    second.scaleModelInput(sample, t);
    expect(first.step(residual, t, sample, options())).toEqual(second.step(residual, t, sample, options()));
  });

  it('starts again from the top when the schedule is set again', () => {
    const scheduler = create();
    const once = fullLoop(scheduler, c.steps, { generator: new TorchGenerator(0), scaleInput: c.scalesInput });
    const twice = fullLoop(scheduler, c.steps, { generator: new TorchGenerator(0), scaleInput: c.scalesInput });
    expect(twice).toEqual(once);
  });

  it('reads an empty config as diffusers’ defaults and ignores keys it does not read', () => {
    const defaults = createScheduler(c.name, {});
    const noisy = createScheduler(c.name, {
      _class_name: 'PNDMScheduler',
      _diffusers_version: '0.6.0',
      skip_prk_steps: true,
      some_future_key: [1, 2],
    });
    defaults.setTimesteps(10);
    noisy.setTimesteps(10);
    expect(noisy.timesteps).toEqual(defaults.timesteps);
    expect(noisy.initNoiseSigma).toBe(defaults.initNoiseSigma);
    const loop = (s: typeof defaults) => fullLoop(s, 10, { generator: new TorchGenerator(0), scaleInput: c.scalesInput });
    expect(loop(noisy)).toEqual(loop(defaults));
  });

  it.each([
    [{ beta_schedule: 'cosine' }, /"beta_schedule" must be one of .*; got "cosine"/],
    [{ num_train_timesteps: 0 }, /"num_train_timesteps" must be an integer >= 2; got 0/],
    [{ num_train_timesteps: 10.5 }, /"num_train_timesteps" must be an integer >= 2; got 10.5/],
    [{ beta_end: '0.02' }, /"beta_end" must be a number >= 0 and <= 0.999; got "0.02"/],
    [{ prediction_type: 'eps' }, /"prediction_type" must be one of .*; got "eps"/],
    [{ rescale_betas_zero_snr: 'yes' }, /"rescale_betas_zero_snr" must be true or false; got "yes"/],
    [{ trained_betas: [0.1, 0.2] }, /"trained_betas" has 2 values but "num_train_timesteps" is/],
    [{ trained_betas: [0.1, 'x'] }, /"trained_betas\[1\]" must be a number in \[0, 1\); got "x"/],
  ])('names the key and the value of a bad config: %o', (bad, message) => {
    expect(() => create(bad)).toThrow(SchedulerConfigError);
    expect(() => create(bad)).toThrow(message);
  });

  it('refuses a config that is not an object', () => {
    expect(() => createScheduler(c.name, null)).toThrow(/must be an object; got null/);
    expect(() => createScheduler(c.name, [1])).toThrow(/must be an object; got an array/);
  });

  it('refuses scaleModelInput and step before setTimesteps', () => {
    const scheduler = create();
    const sample = dummySample();
    expect(() => scheduler.scaleModelInput(sample, 999)).toThrow(SchedulerUsageError);
    expect(() => scheduler.step(sample, 999, sample, options())).toThrow(/call setTimesteps\(steps\) before step/);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %s steps', (steps) => {
    expect(() => create().setTimesteps(steps)).toThrow(`steps must be an integer from 1 to ${c.maxSteps}; got ${steps}`);
  });

  it('refuses one step more than its maximum, and accepts the maximum and 1', () => {
    const scheduler = create();
    expect(() => scheduler.setTimesteps(c.maxSteps + 1)).toThrow(SchedulerUsageError);
    scheduler.setTimesteps(1);
    expect(scheduler.timesteps).toHaveLength(1);
    scheduler.setTimesteps(c.maxSteps);
    expect(scheduler.timesteps).toHaveLength(c.maxSteps);
  });

  it('refuses a timestep not in the schedule, out of order, or after the last step', () => {
    const scheduler = create();
    scheduler.setTimesteps(c.steps);
    const sample = dummySample();
    const [first, second, third] = scheduler.timesteps;
    expect(() => scheduler.step(sample, first + 0.5, sample, options())).toThrow(`timestep ${first + 0.5} is not in the schedule`);
    scheduler.step(sample, first, sample, options());
    expect(() => scheduler.step(sample, third, sample, options())).toThrow(
      `expected timestep ${second} (step 2 of ${c.steps}), got ${third}`,
    );
    expect(() => scheduler.scaleModelInput(sample, first)).toThrow(`expected timestep ${second}`);
    for (const t of scheduler.timesteps.slice(1)) scheduler.step(sample, t, sample, options());
    expect(() => scheduler.step(sample, second, sample, options())).toThrow(`all ${c.steps} steps are done`);
  });

  it('refuses a shape, a model output or noise that does not fit the sample', () => {
    const scheduler = create();
    scheduler.setTimesteps(c.steps);
    const sample = dummySample();
    const t = scheduler.timesteps[0];
    expect(() => scheduler.step(sample, t, sample, { ...options(), shape: [4, 3, 8, 4] })).toThrow(
      'sample has 768 values but shape [4, 3, 8, 4] has 384',
    );
    expect(() => scheduler.step(sample, t, sample, { ...options(), shape: [4, 0, 8, 8] })).toThrow(/shape must be positive integers/);
    expect(() => scheduler.step(sample.subarray(1), t, sample, options())).toThrow('model output has 767 values, the sample 768');
    const shortNoise = { randn: () => new Float32Array(3) };
    if (c.noisy) {
      expect(() => scheduler.step(sample, t, sample, { shape: SHAPE, generator: shortNoise })).toThrow(
        'the generator returned 3 values for 768',
      );
    }
  });

  it(c.noisy ? 'needs a generator' : 'steps without a generator', () => {
    const scheduler = create();
    scheduler.setTimesteps(c.steps);
    const sample = dummySample();
    const step = () => scheduler.step(sample, scheduler.timesteps[0], sample, { shape: SHAPE });
    if (c.noisy) expect(step).toThrow(/needs a generator/);
    else expect(step().every(Number.isFinite)).toBe(true);
  });

  it(c.name === 'ddim' ? 'takes eta, a number >= 0' : 'refuses eta, a DDIM option', () => {
    const scheduler = create();
    scheduler.setTimesteps(c.steps);
    const sample = dummySample();
    const t = scheduler.timesteps[0];
    expect(() => scheduler.step(sample, t, sample, { ...options(), eta: -1 })).toThrow(
      c.name === 'ddim' ? 'eta must be a number >= 0; got -1' : 'eta is a DDIM option; got eta -1',
    );
  });

  it(c.scalesInput ? 'scales the model input by 1 / √(σ² + 1) (test_scheduler_public_api)' : 'feeds the sample to the model as it is', () => {
    const scheduler = create();
    scheduler.setTimesteps(c.steps);
    const sample = dummySample();
    const input = scheduler.scaleModelInput(sample, scheduler.timesteps[0]);
    expect(input).toHaveLength(sample.length);
    if (!c.scalesInput) {
      expect(input).toBe(sample);
      return;
    }
    // At the first timestep σ is the largest sigma, the init noise sigma of a linspace schedule.
    const sigma = scheduler.initNoiseSigma;
    const scale = Math.fround(Math.sqrt(Math.fround(Math.fround(sigma * sigma) + 1)));
    expect(input).toEqual(sample.map((x) => x / scale));
  });

  it.each(c.predictions)('runs a full loop for %s models (test_prediction_type)', (prediction) => {
    const sample = fullLoop(create({ prediction_type: prediction }), c.steps, {
      generator: new TorchGenerator(0),
      scaleInput: c.scalesInput,
    });
    expect(sample.every(Number.isFinite)).toBe(true);
  });

  it('runs with zero terminal SNR betas and with the cosine schedule (test_rescale_betas_zero_snr, test_schedules)', () => {
    // Zero terminal SNR is for v-prediction: at ᾱ = 0 an epsilon model cannot give x0.
    for (const extra of [{ rescale_betas_zero_snr: true, prediction_type: 'v_prediction' }, { beta_schedule: 'squaredcos_cap_v2' }]) {
      const scheduler = create(extra);
      scheduler.setTimesteps(c.steps);
      const t = scheduler.timesteps[0];
      const sample = scheduler.scaleModelInput(dummySample(), t);
      const next = scheduler.step(dummyModel(sample, t), t, sample, options());
      expect(next.every(Number.isFinite)).toBe(true);
    }
  });

  it('runs from trained betas as from the betas they list', () => {
    const count = 1000;
    const betas = Array.from({ length: count }, (_, i) => 0.0001 + (0.0199 * i) / (count - 1));
    const listed = createScheduler(c.name, { num_train_timesteps: count, trained_betas: betas });
    listed.setTimesteps(10);
    expect(listed.timesteps).toHaveLength(10);
    const loop = fullLoop(listed, 10, { generator: new TorchGenerator(0), scaleInput: c.scalesInput });
    expect(loop.every(Number.isFinite)).toBe(true);
  });

  it('starts mid-schedule at any of its timesteps (img2img)', () => {
    const scheduler = create();
    scheduler.setTimesteps(c.steps);
    const start = scheduler.timesteps.length - 2;
    let sample = dummySampleDeter();
    for (const t of scheduler.timesteps.slice(start)) {
      sample = scheduler.scaleModelInput(sample, t);
      sample = scheduler.step(dummyModel(sample, t), t, sample, options());
    }
    expect(sample.every(Number.isFinite)).toBe(true);
  });
});
