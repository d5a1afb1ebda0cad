/**
 * diffusers' tests/schedulers/test_scheduler_euler_ancestral.py (EulerAncestralDiscreteSchedulerTest). Its loops
 * draw the ancestral noise from `torch.manual_seed(0)`, which TorchGenerator reproduces.
 */
import { describe, expect, it } from 'vitest';
import { createScheduler, SchedulerConfigError } from '../../../../inference/schedulers';
import { EulerAncestralScheduler } from '../../../../inference/schedulers/euler-ancestral';
import { TorchGenerator } from '../../../../inference/rng';
import { fullLoop, meanAbs, sumAbs } from './diffusers-fixtures';

/** `get_scheduler_config()` of EulerAncestralDiscreteSchedulerTest. */
const CONFIG = { num_train_timesteps: 1100, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' };
const STEPS = 10;

const loop = (config: Readonly<Record<string, unknown>>) =>
  fullLoop(createScheduler('euler-a', { ...CONFIG, ...config }), STEPS, { generator: new TorchGenerator(0) });

describe('diffusers’ expectations', () => {
  it('test_full_loop_no_noise (and test_full_loop_device)', () => {
    const sample = loop({});
    expect(Math.abs(sumAbs(sample) - 152.3192)).toBeLessThan(1e-2);
    expect(Math.abs(meanAbs(sample) - 0.1983)).toBeLessThan(1e-3);
  });

  it('test_full_loop_with_v_prediction', () => {
    const sample = loop({ prediction_type: 'v_prediction' });
    expect(Math.abs(sumAbs(sample) - 108.4439)).toBeLessThan(1e-2);
    expect(Math.abs(meanAbs(sample) - 0.1412)).toBeLessThan(1e-3);
  });

  it('draws the same noise on machines without AVX2 (PyTorch’s scalar Box–Muller)', () => {
    const scheduler = createScheduler('euler-a', CONFIG);
    const sample = fullLoop(scheduler, STEPS, { generator: new TorchGenerator(0, { normalKernel: 'scalar' }) });
    expect(Math.abs(sumAbs(sample) - 152.3192)).toBeLessThan(1e-2);
  });
});

describe('steps', () => {
  it('lands on sigma 0 at the last step, where the noise is multiplied by 0', () => {
    const scheduler = new EulerAncestralScheduler(CONFIG);
    scheduler.setTimesteps(STEPS);
    expect(scheduler.sigmas).toHaveLength(STEPS + 1);
    expect(scheduler.sigmas[STEPS]).toBe(0);
  });

  it('depends on the seed', () => {
    const a = fullLoop(createScheduler('euler-a', CONFIG), STEPS, { generator: new TorchGenerator(1) });
    const b = fullLoop(createScheduler('euler-a', CONFIG), STEPS, { generator: new TorchGenerator(2) });
    expect(a).not.toEqual(b);
  });

  it('uses the same timesteps and sigmas as Euler', () => {
    const ancestral = new EulerAncestralScheduler({ ...CONFIG, timestep_spacing: 'trailing' });
    const euler = createScheduler('euler', { ...CONFIG, timestep_spacing: 'trailing' });
    ancestral.setTimesteps(STEPS);
    euler.setTimesteps(STEPS);
    expect(ancestral.timesteps).toEqual(euler.timesteps);
    expect(ancestral.initNoiseSigma).toBe(euler.initNoiseSigma);
  });
});

describe('config', () => {
  it('has diffusers’ defaults', () => {
    expect(new EulerAncestralScheduler({}).config).toEqual({
      num_train_timesteps: 1000,
      beta_start: 0.0001,
      beta_end: 0.02,
      beta_schedule: 'linear',
      trained_betas: null,
      rescale_betas_zero_snr: false,
      prediction_type: 'epsilon',
      timestep_spacing: 'linspace',
      steps_offset: 0,
    });
  });

  it('refuses sample prediction, which diffusers does not implement for it', () => {
    expect(() => new EulerAncestralScheduler({ prediction_type: 'sample' })).toThrow(SchedulerConfigError);
    expect(() => new EulerAncestralScheduler({ prediction_type: 'sample' })).toThrow(/"prediction_type": "sample" is not supported/);
  });

  it('ignores Euler’s keys, as diffusers does (an SDXL config with Karras sigmas)', () => {
    const plain = createScheduler('euler-a', CONFIG);
    const withEulerKeys = createScheduler('euler-a', { ...CONFIG, use_karras_sigmas: true, interpolation_type: 'linear' });
    plain.setTimesteps(STEPS);
    withEulerKeys.setTimesteps(STEPS);
    expect(withEulerKeys.timesteps).toEqual(plain.timesteps);
  });
});
