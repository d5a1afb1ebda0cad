/** diffusers' tests/schedulers/test_scheduler_ddim.py (DDIMSchedulerTest), plus exact schedules. */
import { describe, expect, it } from 'vitest';
import { createScheduler, SchedulerUsageError } from '../../../../inference/schedulers';
import { DdimScheduler, ddimVariance } from '../../../../inference/schedulers/ddim';
import { TorchGenerator } from '../../../../inference/rng';
import { fullLoop, meanAbs, sumAbs } from './diffusers-fixtures';

/** `get_scheduler_config()` of DDIMSchedulerTest. */
const CONFIG = { num_train_timesteps: 1000, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear', clip_sample: true };

/** Stable Diffusion 1.5's scheduler_config.json. */
const SD15 = {
  _class_name: 'PNDMScheduler',
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  beta_start: 0.00085,
  num_train_timesteps: 1000,
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  trained_betas: null,
  clip_sample: false,
};

/** DDIMSchedulerTest.full_loop: 10 steps, eta 0, no scale_model_input. */
const loop = (config: Readonly<Record<string, unknown>>) =>
  fullLoop(createScheduler('ddim', { ...CONFIG, ...config }), 10, { eta: 0, scaleInput: false });

const countdown = (start: number, step: number, count: number) => Array.from({ length: count }, (_, i) => start - step * i);

describe('diffusers’ expectations', () => {
  it('test_full_loop_no_noise', () => {
    const sample = loop({});
    expect(Math.abs(sumAbs(sample) - 172.0067)).toBeLessThan(1e-2);
    expect(Math.abs(meanAbs(sample) - 0.223967)).toBeLessThan(1e-3);
  });

  it('test_full_loop_with_v_prediction', () => {
    const sample = loop({ prediction_type: 'v_prediction' });
    expect(Math.abs(sumAbs(sample) - 52.5302)).toBeLessThan(1e-2);
    expect(Math.abs(meanAbs(sample) - 0.0684)).toBeLessThan(1e-3);
  });

  it('test_full_loop_with_set_alpha_to_one', () => {
    const sample = loop({ set_alpha_to_one: true, beta_start: 0.01 });
    expect(Math.abs(sumAbs(sample) - 149.8295)).toBeLessThan(1e-2);
    expect(Math.abs(meanAbs(sample) - 0.1951)).toBeLessThan(1e-3);
  });

  it('test_full_loop_with_no_set_alpha_to_one', () => {
    const sample = loop({ set_alpha_to_one: false, beta_start: 0.01 });
    expect(Math.abs(sumAbs(sample) - 149.0784)).toBeLessThan(1e-2);
    expect(Math.abs(meanAbs(sample) - 0.1941)).toBeLessThan(1e-3);
  });

  it('test_steps_offset', () => {
    const scheduler = createScheduler('ddim', { ...CONFIG, steps_offset: 1 });
    scheduler.setTimesteps(5);
    expect(scheduler.timesteps).toEqual([801, 601, 401, 201, 1]);
  });

  it('test_variance', () => {
    const { alphasCumprod: a } = new DdimScheduler(CONFIG);
    expect(Math.abs(ddimVariance(a[0], a[0]) - 0)).toBeLessThan(1e-5);
    expect(Math.abs(ddimVariance(a[420], a[400]) - 0.14771)).toBeLessThan(1e-5);
    expect(Math.abs(ddimVariance(a[980], a[960]) - 0.3246)).toBeLessThan(1e-5);
    expect(Math.abs(ddimVariance(a[487], a[486]) - 0.00979)).toBeLessThan(1e-5);
    expect(Math.abs(ddimVariance(a[999], a[998]) - 0.02)).toBeLessThan(1e-5);
  });

  it('test_num_inference_steps_zero_raises', () => {
    expect(() => createScheduler('ddim', CONFIG).setTimesteps(0)).toThrow(SchedulerUsageError);
  });

  it.each([
    [1, 10],
    [10, 50],
    [50, 500],
  ])('test_inference_steps: timestep index %i of %i steps', (index, steps) => {
    const scheduler = createScheduler('ddim', CONFIG);
    scheduler.setTimesteps(steps);
    const t = scheduler.timesteps[index];
    const sample = new TorchGenerator(0).rand([4, 3, 8, 8]);
    expect(scheduler.step(sample.map((x) => 0.1 * x), t, sample, { shape: [4, 3, 8, 8] }).every(Number.isFinite)).toBe(true);
  });
});

describe('eta', () => {
  it('0 is deterministic DDIM; > 0 adds seeded noise, the same for the same seed (test_eta)', () => {
    const deterministic = fullLoop(createScheduler('ddim', CONFIG), 10, { eta: 0, scaleInput: false });
    const noisy = () => fullLoop(createScheduler('ddim', CONFIG), 10, { eta: 1, scaleInput: false, generator: new TorchGenerator(0) });
    expect(noisy()).toEqual(noisy());
    expect(noisy()).not.toEqual(deterministic);
  });

  it('> 0 needs a generator', () => {
    expect(() => fullLoop(createScheduler('ddim', CONFIG), 10, { eta: 0.5, scaleInput: false })).toThrow('ddim: eta > 0 needs a generator');
  });
});

describe('thresholding and clipping (test_thresholding, test_clip_sample)', () => {
  it.each([0.5, 1.0, 2.0])('keeps x0 within sample_max_value %d', (threshold) => {
    for (const prediction of ['epsilon', 'v_prediction']) {
      const sample = loop({ thresholding: true, prediction_type: prediction, sample_max_value: threshold });
      expect(sample.every(Number.isFinite)).toBe(true);
    }
  });

  it('clips x0 to clip_sample_range', () => {
    // With a zero noise prediction x0 = sample / √ᾱ_t, which leaves [-2, 2] for a sample of 4s; the step from
    // timestep 900 then lands on √ᾱ_800 · x0.
    const step = (config: Readonly<Record<string, unknown>>) => {
      const scheduler = createScheduler('ddim', { ...CONFIG, ...config });
      scheduler.setTimesteps(10);
      const sample = new Float32Array(768).fill(4);
      return scheduler.step(new Float32Array(768), scheduler.timesteps[0], sample, { shape: [4, 3, 8, 8] });
    };
    const alphaPrev = new DdimScheduler(CONFIG).alphasCumprod[800];
    expect(step({ clip_sample_range: 2 })[0]).toBe(Math.fround(Math.fround(Math.sqrt(alphaPrev)) * 2));
    expect(step({ clip_sample: false })[0]).toBeGreaterThan(step({ clip_sample_range: 2 })[0]);
  });
});

describe('schedules for Stable Diffusion 1.5’s config', () => {
  const schedule = (steps: number, extra: Readonly<Record<string, unknown>> = {}) => {
    const scheduler = createScheduler('ddim', { ...SD15, ...extra });
    scheduler.setTimesteps(steps);
    return scheduler.timesteps;
  };

  it('leading (DDIM’s default): multiples of 1000 // n plus steps_offset 1', () => {
    expect(schedule(20)).toEqual(countdown(951, 50, 20));
    expect(schedule(50)).toEqual(countdown(981, 20, 50));
  });

  it('trailing: round(arange(1000, 0, -1000 / n)) - 1', () => {
    expect(schedule(20, { timestep_spacing: 'trailing' })).toEqual(countdown(999, 50, 20));
    expect(schedule(50, { timestep_spacing: 'trailing' })).toEqual(countdown(999, 20, 50));
  });

  it('linspace: round(linspace(0, 999, n)), halves to even', () => {
    expect(schedule(20, { timestep_spacing: 'linspace' })).toEqual([
      999, 946, 894, 841, 789, 736, 684, 631, 578, 526, 473, 421, 368, 315, 263, 210, 158, 105, 53, 0,
    ]);
    const fifty = schedule(50, { timestep_spacing: 'linspace' });
    expect(fifty.slice(0, 8)).toEqual([999, 979, 958, 938, 917, 897, 877, 856]);
    expect(fifty.slice(-4)).toEqual([61, 41, 20, 0]);
  });

  it('refuses a steps_offset that pushes a timestep past the last training timestep', () => {
    expect(() => schedule(1000)).toThrow(/puts timestep 1000 past the last training timestep 999/);
  });
});

describe('config', () => {
  it('has diffusers’ defaults', () => {
    expect(new DdimScheduler({}).config).toEqual({
      num_train_timesteps: 1000,
      beta_start: 0.0001,
      beta_end: 0.02,
      beta_schedule: 'linear',
      trained_betas: null,
      rescale_betas_zero_snr: false,
      clip_sample: true,
      clip_sample_range: 1,
      thresholding: false,
      dynamic_thresholding_ratio: 0.995,
      sample_max_value: 1,
      set_alpha_to_one: true,
      steps_offset: 0,
      prediction_type: 'epsilon',
      timestep_spacing: 'leading',
    });
  });

  it('set_alpha_to_one picks the alpha before timestep 0', () => {
    expect(new DdimScheduler({ set_alpha_to_one: true }).finalAlphaCumprod).toBe(1);
    const scheduler = new DdimScheduler({ set_alpha_to_one: false });
    expect(scheduler.finalAlphaCumprod).toBe(scheduler.alphasCumprod[0]);
  });
});
