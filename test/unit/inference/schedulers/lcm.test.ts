/** diffusers' tests/schedulers/test_scheduler_lcm.py (LCMSchedulerTest), plus exact schedules. */
import { describe, expect, it } from 'vitest';
import { createScheduler, SchedulerConfigError } from '../../../../inference/schedulers';
import { boundaryScalings, LcmScheduler } from '../../../../inference/schedulers/lcm';
import { TorchGenerator } from '../../../../inference/rng';
import { fullLoop, meanAbs, SHAPE, sumAbs } from './diffusers-fixtures';

/** `get_scheduler_config()` of LCMSchedulerTest. */
const CONFIG = { num_train_timesteps: 1000, beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', prediction_type: 'epsilon' };

/** LCMSchedulerTest.full_loop: no scale_model_input, generator torch.manual_seed(seed). */
const loop = (steps: number, seed = 0) =>
  fullLoop(createScheduler('lcm', CONFIG), steps, { scaleInput: false, generator: new TorchGenerator(seed) });

describe('diffusers’ expectations', () => {
  it('test_full_loop_onestep', () => {
    const sample = loop(1);
    expect(Math.abs(sumAbs(sample) - 18.7097)).toBeLessThan(1e-3);
    expect(Math.abs(meanAbs(sample) - 0.0244)).toBeLessThan(1e-3);
  });

  it('test_full_loop_multistep', () => {
    const sample = loop(10);
    expect(Math.abs(sumAbs(sample) - 197.7616)).toBeLessThan(1e-3);
    expect(Math.abs(meanAbs(sample) - 0.2575)).toBeLessThan(1e-3);
  });

  it('one step needs no generator: the last step adds no noise', () => {
    const scheduler = createScheduler('lcm', CONFIG);
    expect(sumAbs(fullLoop(scheduler, 1, { scaleInput: false }))).toBeCloseTo(18.7097, 3);
  });

  it.each([
    [99, 10],
    [39, 25],
    [39, 26],
    [19, 50],
  ])('test_inference_steps: timestep %i is in the %i-step schedule', (t, steps) => {
    const scheduler = createScheduler('lcm', CONFIG);
    scheduler.setTimesteps(steps);
    expect(scheduler.timesteps).toContain(t);
  });

  it('test_timesteps: the last timestep is num_train_timesteps - 1 for any training length', () => {
    for (const trainSteps of [100, 500, 1000]) {
      const scheduler = createScheduler('lcm', { ...CONFIG, num_train_timesteps: trainSteps });
      scheduler.setTimesteps(10);
      expect(scheduler.timesteps[0]).toBe(trainSteps - 1);
    }
  });

  it.each([0.5, 1.0, 2.0])('test_thresholding runs with sample_max_value %d', (threshold) => {
    for (const prediction of ['epsilon', 'v_prediction']) {
      const scheduler = createScheduler('lcm', { ...CONFIG, thresholding: true, sample_max_value: threshold, prediction_type: prediction });
      const sample = fullLoop(scheduler, 10, { scaleInput: false, generator: new TorchGenerator(0) });
      expect(sample.every(Number.isFinite)).toBe(true);
    }
  });
});

describe('schedule', () => {
  const schedule = (steps: number, config: Readonly<Record<string, unknown>> = CONFIG) => {
    const scheduler = createScheduler('lcm', config);
    scheduler.setTimesteps(steps);
    return scheduler.timesteps;
  };

  it('picks evenly spaced indices of the 50-step distillation schedule 999, 979, …, 19', () => {
    expect(schedule(1)).toEqual([999]);
    expect(schedule(4)).toEqual([999, 759, 499, 259]);
    expect(schedule(8)).toEqual([999, 879, 759, 639, 499, 379, 259, 139]);
    expect(schedule(50)).toEqual(Array.from({ length: 50 }, (_, i) => 999 - 20 * i));
  });

  it('follows original_inference_steps, and refuses more steps than it', () => {
    expect(schedule(4, { ...CONFIG, original_inference_steps: 100 })).toEqual([999, 749, 499, 249]);
    expect(() => schedule(51)).toThrow('lcm: steps must be an integer from 1 to 50; got 51');
  });

  it('ignores timestep_spacing and steps_offset, as diffusers does', () => {
    expect(schedule(4, { ...CONFIG, timestep_spacing: 'trailing', steps_offset: 1 })).toEqual([999, 759, 499, 259]);
  });
});

describe('boundary conditions', () => {
  it('c_skip = 1 and c_out = 0 at timestep 0; c_skip ≈ 0 and c_out ≈ 1 at 999', () => {
    expect(boundaryScalings(0, 10)).toEqual({ skip: 1, out: 0 });
    const late = boundaryScalings(999, 10);
    // c_skip = 0.25 / (9990² + 0.25), c_out = 9990 / √(9990² + 0.25).
    expect(late.skip).toBeCloseTo(2.505e-9, 12);
    expect(late.out).toBeCloseTo(1, 6);
  });

  it('a one-step sample is c_out · x0 + c_skip · x, in float32', () => {
    const scheduler = new LcmScheduler(CONFIG);
    scheduler.setTimesteps(1);
    const sample = new TorchGenerator(0).rand(SHAPE);
    // With zero predicted noise x0 = x / √ᾱ_999.
    const next = scheduler.step(new Float32Array(sample.length), 999, sample, { shape: SHAPE });
    const alphaRoot = Math.fround(Math.sqrt(scheduler.alphasCumprod[999]));
    const { skip, out } = boundaryScalings(999, 10);
    const f = Math.fround;
    expect(next).toEqual(sample.map((x) => f(f(out * f(x / alphaRoot)) + f(skip * x))));
  });
});

describe('config', () => {
  it('has diffusers’ defaults', () => {
    expect(new LcmScheduler({}).config).toEqual({
      num_train_timesteps: 1000,
      beta_start: 0.00085,
      beta_end: 0.012,
      beta_schedule: 'scaled_linear',
      trained_betas: null,
      rescale_betas_zero_snr: false,
      clip_sample: false,
      clip_sample_range: 1,
      thresholding: false,
      dynamic_thresholding_ratio: 0.995,
      sample_max_value: 1,
      original_inference_steps: 50,
      set_alpha_to_one: true,
      prediction_type: 'epsilon',
      timestep_scaling: 10,
    });
  });

  it('refuses original_inference_steps beyond the training schedule', () => {
    expect(() => new LcmScheduler({ original_inference_steps: 2000 })).toThrow(SchedulerConfigError);
    expect(() => new LcmScheduler({ original_inference_steps: 2000 })).toThrow(/"original_inference_steps" 2000 is more than "num_train_timesteps" 1000/);
  });
});
