/** diffusers' tests/schedulers/test_scheduler_euler.py (EulerDiscreteSchedulerTest), plus exact schedules. */
import { describe, expect, it } from 'vitest';
import { createScheduler, SchedulerConfigError, SchedulerUsageError } from '../../../../inference/schedulers';
import { EulerScheduler } from '../../../../inference/schedulers/euler';
import { TorchGenerator } from '../../../../inference/rng';
import { fullLoop, meanAbs, sumAbs } from './diffusers-fixtures';

/** `get_scheduler_config()` of EulerDiscreteSchedulerTest. */
const CONFIG = { num_train_timesteps: 1100, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' };
/** `num_inference_steps` of EulerDiscreteSchedulerTest. */
const STEPS = 10;

/** Stable Diffusion 1.5's scheduler_config.json (a PNDMScheduler config, read by Euler). */
const SD15 = {
  _class_name: 'PNDMScheduler',
  _diffusers_version: '0.6.0',
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

const loop = (config: Readonly<Record<string, unknown>>) =>
  fullLoop(createScheduler('euler', { ...CONFIG, ...config }), STEPS, { generator: new TorchGenerator(0) });

describe('diffusers’ expectations', () => {
  it('test_full_loop_no_noise (and test_full_loop_device)', () => {
    const sample = loop({});
    expect(Math.abs(sumAbs(sample) - 10.0807)).toBeLessThan(1e-2);
    expect(Math.abs(meanAbs(sample) - 0.0131)).toBeLessThan(1e-3);
  });

  it('test_full_loop_with_v_prediction', () => {
    const sample = loop({ prediction_type: 'v_prediction' });
    expect(Math.abs(sumAbs(sample) - 0.0002)).toBeLessThan(1e-2);
    expect(Math.abs(meanAbs(sample) - 2.2676e-6)).toBeLessThan(1e-3);
  });

  it('test_full_loop_device_karras_sigmas', () => {
    const sample = loop({ use_karras_sigmas: true });
    expect(Math.abs(sumAbs(sample) - 124.52299499511719)).toBeLessThan(1e-2);
    expect(Math.abs(meanAbs(sample) - 0.16213932633399963)).toBeLessThan(1e-3);
  });

  it('test_karras_sigmas: sigma_min and sigma_max bound the Karras schedule', () => {
    const scheduler = new EulerScheduler({ ...CONFIG, use_karras_sigmas: true, sigma_min: 0.02, sigma_max: 700.0 });
    scheduler.setTimesteps(STEPS);
    const sigmas = scheduler.sigmas;
    expect(sigmas[0]).toBe(Math.fround(700));
    expect(sigmas[STEPS - 1]).toBe(Math.fround(0.02));
    expect(sigmas[STEPS]).toBe(0);
  });

  it.each([
    ['epsilon', 'linear', 'zero'],
    ['sample', 'log_linear', 'sigma_min'],
    ['v_prediction', 'linear', 'sigma_min'],
  ])('test_custom_timesteps combinations run: %s, %s, %s', (prediction, interpolation, finalSigmas) => {
    const sample = loop({ prediction_type: prediction, interpolation_type: interpolation, final_sigmas_type: finalSigmas });
    expect(sample.every(Number.isFinite)).toBe(true);
  });

  it('test_timestep_type: continuous timesteps are 0.25 · ln σ for v-prediction only', () => {
    const continuous = new EulerScheduler({ ...CONFIG, timestep_type: 'continuous', prediction_type: 'v_prediction' });
    continuous.setTimesteps(STEPS);
    const sigmas = continuous.sigmas;
    expect(continuous.timesteps).toEqual(Array.from(sigmas.subarray(0, -1), (s) => 0.25 * Math.fround(Math.log(s))));
    const epsilon = new EulerScheduler({ ...CONFIG, timestep_type: 'continuous' });
    epsilon.setTimesteps(STEPS);
    expect(epsilon.timesteps[0]).toBe(1099);
    expect(loop({ timestep_type: 'continuous', prediction_type: 'v_prediction' }).every(Number.isFinite)).toBe(true);
  });

  it('test_exponential_sigmas: log-evenly spaced from the largest to the smallest sigma', () => {
    const scheduler = new EulerScheduler({ ...CONFIG, use_exponential_sigmas: true });
    scheduler.setTimesteps(STEPS);
    const logs = Array.from(scheduler.sigmas.subarray(0, STEPS), Math.log);
    const gaps = logs.slice(1).map((l, i) => logs[i] - l);
    for (const gap of gaps) expect(gap).toBeCloseTo(gaps[0], 5);
    expect(scheduler.timesteps[0]).toBe(1099);
  });
});

describe('schedules for Stable Diffusion 1.5’s config', () => {
  const schedule = (steps: number, extra: Readonly<Record<string, unknown>> = {}) => {
    const scheduler = new EulerScheduler({ ...SD15, ...extra });
    scheduler.setTimesteps(steps);
    return scheduler;
  };

  it('linspace (Euler’s default): np.linspace(0, 999, n, dtype=float32), reversed', () => {
    expect(schedule(20).timesteps).toEqual(
      [
        999, 946.4210815429688, 893.8421020507812, 841.26318359375, 788.6842041015625, 736.1052856445312,
        683.5263061523438, 630.9473876953125, 578.368408203125, 525.7894897460938, 473.2105407714844, 420.631591796875,
        368.0526428222656, 315.47369384765625, 262.8947448730469, 210.3157958984375, 157.73684692382812,
        105.15789794921875, 52.578948974609375, 0,
      ],
    );
    const fifty = schedule(50).timesteps;
    expect(fifty).toHaveLength(50);
    expect(fifty.slice(0, 3)).toEqual([999, 978.6122436523438, 958.2244873046875]);
    expect(fifty.slice(-2)).toEqual([20.387754440307617, 0]);
  });

  it('leading: multiples of 1000 // n plus steps_offset', () => {
    expect(schedule(20, { timestep_spacing: 'leading' }).timesteps).toEqual(Array.from({ length: 20 }, (_, i) => 951 - 50 * i));
    expect(schedule(50, { timestep_spacing: 'leading' }).timesteps).toEqual(Array.from({ length: 50 }, (_, i) => 981 - 20 * i));
  });

  it('trailing: round(arange(1000, 0, -1000 / n)) - 1', () => {
    expect(schedule(20, { timestep_spacing: 'trailing' }).timesteps).toEqual(Array.from({ length: 20 }, (_, i) => 999 - 50 * i));
    expect(schedule(50, { timestep_spacing: 'trailing' }).timesteps).toEqual(Array.from({ length: 50 }, (_, i) => 999 - 20 * i));
  });

  it('trailing with 16 steps rounds halves to even, as numpy does', () => {
    // arange(1000, 0, -62.5) = 1000, 937.5, 875, 812.5, …: 937.5 → 938, 812.5 → 812.
    expect(schedule(16, { timestep_spacing: 'trailing' }).timesteps.slice(0, 4)).toEqual([999, 937, 874, 811]);
  });

  it('refuses a trailing step count for which numpy.arange overshoots to timestep -1', () => {
    // arange(1000, 0, -1000 / 61) has 62 elements, the last ≈ 1e-13, which diffusers turns into timestep -1.
    expect(() => schedule(61, { timestep_spacing: 'trailing' })).toThrow(SchedulerUsageError);
    expect(() => schedule(61, { timestep_spacing: 'trailing' })).toThrow(/yields 62 timesteps ending at -1/);
    expect(schedule(60, { timestep_spacing: 'trailing' }).timesteps).toHaveLength(60);
  });

  it('sigmas: the training sigmas interpolated at the timesteps, then 0', () => {
    const sigmas = schedule(20).sigmas;
    expect(sigmas).toHaveLength(21);
    expect(sigmas[0]).toBe(14.614646911621094);
    expect(sigmas[19]).toBe(0.029167532920837402);
    expect(sigmas[20]).toBe(0);
    expect(schedule(20, { final_sigmas_type: 'sigma_min' }).sigmas[20]).toBe(0.029167532920837402);
  });

  it('Karras: 10 sigmas from σ_max to σ_min with ρ = 7, timesteps by log-sigma interpolation', () => {
    const scheduler = schedule(10, { use_karras_sigmas: true });
    expect(scheduler.timesteps[0]).toBe(999);
    expect(scheduler.timesteps[9]).toBe(0);
    expect(scheduler.timesteps[1]).toBeCloseTo(916.28406, 3);
    expect(Array.from(scheduler.sigmas)).toEqual([
      14.614646911621094, 9.102936744689941, 5.478401184082031, 3.1686110496520996, 1.7494231462478638,
      0.9140765070915222, 0.44692090153694153, 0.20139986276626587, 0.08191104978322983, 0.029167532920837402, 0,
    ]);
  });

  it('init noise sigma: the largest sigma, or √(σ² + 1) for leading spacing', () => {
    expect(schedule(20).initNoiseSigma).toBe(14.614646911621094);
    const leading = schedule(20, { timestep_spacing: 'leading' });
    // Leading spacing starts at timestep 951, whose sigma is 11.028335571289062.
    expect(leading.sigmas[0]).toBe(11.028335571289062);
    expect(leading.initNoiseSigma).toBe(Math.fround(Math.sqrt(Math.fround(Math.fround(11.028335571289062 ** 2) + 1))));
  });

  it('log-linear: n + 1 sigmas evenly spaced in log σ, ending at the smallest training sigma, not 0', () => {
    const sigmas = schedule(10, { interpolation_type: 'log_linear' }).sigmas;
    expect(sigmas).toHaveLength(12);
    expect(sigmas[10]).toBeCloseTo(0.0292, 4);
    expect(sigmas[11]).toBe(0);
  });
});

describe('config', () => {
  it('has diffusers’ defaults', () => {
    expect(new EulerScheduler({}).config).toEqual({
      num_train_timesteps: 1000,
      beta_start: 0.0001,
      beta_end: 0.02,
      beta_schedule: 'linear',
      trained_betas: null,
      rescale_betas_zero_snr: false,
      prediction_type: 'epsilon',
      interpolation_type: 'linear',
      use_karras_sigmas: false,
      use_exponential_sigmas: false,
      use_beta_sigmas: false,
      sigma_min: null,
      sigma_max: null,
      timestep_spacing: 'linspace',
      timestep_type: 'discrete',
      steps_offset: 0,
      final_sigmas_type: 'zero',
    });
  });

  it.each([
    [{ use_karras_sigmas: true, use_exponential_sigmas: true }, /only one of "use_karras_sigmas" and "use_exponential_sigmas"/],
    [{ use_beta_sigmas: true }, /"use_beta_sigmas": true is not supported/],
    [{ interpolation_type: 'cubic' }, /"interpolation_type" must be one of "linear", "log_linear"; got "cubic"/],
    [{ sigma_min: -1 }, /"sigma_min" must be a positive number or null; got -1/],
    [{ final_sigmas_type: 'one' }, /"final_sigmas_type" must be one of "zero", "sigma_min"; got "one"/],
    [{ timestep_type: 'edm' }, /"timestep_type" must be one of "discrete", "continuous"; got "edm"/],
  ])('refuses %o', (config, message) => {
    expect(() => new EulerScheduler(config)).toThrow(SchedulerConfigError);
    expect(() => new EulerScheduler(config)).toThrow(message);
  });
});
