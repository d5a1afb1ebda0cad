/** diffusers' tests/schedulers/test_scheduler_dpm_multi.py (DPMSolverMultistepSchedulerTest), plus exact schedules. */
import { describe, expect, it } from 'vitest';
import { createScheduler, SchedulerConfigError, SchedulerUsageError } from '../../../../inference/schedulers';
import { DpmSolverMultistepScheduler } from '../../../../inference/schedulers/dpm-solver-multistep';
import { TorchGenerator } from '../../../../inference/rng';
import { fullLoop, meanAbs, SHAPE } from './diffusers-fixtures';

/** `get_scheduler_config()` of DPMSolverMultistepSchedulerTest. */
const CONFIG = {
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear',
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
};

/** Stable Diffusion 1.5's scheduler_config.json. */
const SD15 = { beta_end: 0.012, beta_schedule: 'scaled_linear', beta_start: 0.00085, num_train_timesteps: 1000, steps_offset: 1 };

/** DPMSolverMultistepSchedulerTest.full_loop: 10 steps, no scale_model_input, generator torch.manual_seed(0). */
const loop = (config: Readonly<Record<string, unknown>>) =>
  fullLoop(createScheduler('dpmpp-2m', { ...CONFIG, ...config }), 10, { scaleInput: false, generator: new TorchGenerator(0) });

describe('diffusers’ expectations', () => {
  it('test_full_loop_no_noise', () => {
    expect(Math.abs(meanAbs(loop({})) - 0.3301)).toBeLessThan(1e-3);
  });

  it('test_full_loop_no_noise_thres', () => {
    const sample = loop({ thresholding: true, dynamic_thresholding_ratio: 0.87, sample_max_value: 0.5 });
    expect(Math.abs(meanAbs(sample) - 1.1364)).toBeLessThan(1e-3);
  });

  it('test_full_loop_with_v_prediction', () => {
    expect(Math.abs(meanAbs(loop({ prediction_type: 'v_prediction' })) - 0.2251)).toBeLessThan(1e-3);
  });

  it('test_full_loop_with_karras_and_v_prediction', () => {
    // 0.20920 here: within diffusers' tolerance, though 4e-4 off where the other loops agree to about 1e-5.
    const sample = loop({ prediction_type: 'v_prediction', use_karras_sigmas: true });
    expect(Math.abs(meanAbs(sample) - 0.2096)).toBeLessThan(1e-3);
  });

  it('test_full_loop_with_lu_and_v_prediction', () => {
    expect(Math.abs(meanAbs(loop({ prediction_type: 'v_prediction', use_lu_lambdas: true })) - 0.1554)).toBeLessThan(1e-3);
  });

  it('test_duplicated_timesteps: as many timesteps as training steps', () => {
    const scheduler = createScheduler('dpmpp-2m', CONFIG);
    scheduler.setTimesteps(1000);
    expect(scheduler.timesteps).toHaveLength(1000);
  });

  it('test_solver_order_and_type: every order, solver type, algorithm and prediction runs without NaN', () => {
    for (const algorithm of ['dpmsolver++', 'sde-dpmsolver++'])
      for (const solver of ['midpoint', 'heun'])
        for (const order of [1, 2, 3])
          for (const prediction of ['epsilon', 'sample']) {
            const config = { solver_order: order, solver_type: solver, prediction_type: prediction, algorithm_type: algorithm };
            expect(loop(config).some(Number.isNaN), JSON.stringify(config)).toBe(false);
          }
  });

  it.each([
    ['test_thresholding', { thresholding: true, sample_max_value: 2.0, solver_order: 3, solver_type: 'heun', prediction_type: 'sample' }],
    ['test_lower_order_final', { lower_order_final: true }],
    ['test_euler_at_final', { euler_at_final: true }],
    ['test_lambda_min_clipped', { lambda_min_clipped: -5.1 }],
    ['test_rescale_betas_zero_snr', { rescale_betas_zero_snr: true, prediction_type: 'v_prediction' }],
    ['test_exponential_sigmas', { use_exponential_sigmas: true }],
  ])('%s runs', (_name, config) => {
    expect(loop(config).every(Number.isFinite)).toBe(true);
  });

  it('test_variance_type: a learned variance keeps the first three channels of the model output', () => {
    const plain = createScheduler('dpmpp-2m', CONFIG);
    const learned = createScheduler('dpmpp-2m', { ...CONFIG, variance_type: 'learned_range' });
    plain.setTimesteps(10);
    learned.setTimesteps(10);
    const sample = new TorchGenerator(0).rand(SHAPE);
    const output = sample.map((x) => 0.1 * x);
    const withVariance = new Float32Array(2 * output.length);
    for (let b = 0; b < 4; b++) {
      withVariance.set(output.subarray(b * 192, (b + 1) * 192), b * 384);
      withVariance.fill(7, b * 384 + 192, (b + 1) * 384);
    }
    const t = plain.timesteps[0];
    expect(learned.step(withVariance, t, sample, { shape: SHAPE })).toEqual(plain.step(output, t, sample, { shape: SHAPE }));
  });
});

describe('steps', () => {
  it('a final sigma of 0 forces a first-order last step, which lands on the data prediction', () => {
    const scheduler = createScheduler('dpmpp-2m', { ...CONFIG, final_sigmas_type: 'zero' });
    scheduler.setTimesteps(10);
    const timesteps = scheduler.timesteps;
    let sample = new TorchGenerator(0).rand(SHAPE);
    for (const t of timesteps.slice(0, -1)) sample = scheduler.step(sample.map((x) => 0.1 * x), t, sample, { shape: SHAPE });
    // Epsilon prediction at the last sigma σ: x0 = (x - σ_t ε) / α_t.
    const sigma = (scheduler as DpmSolverMultistepScheduler).sigmas[9];
    const alpha = Math.fround(1 / Math.fround(Math.sqrt(Math.fround(Math.fround(sigma * sigma) + 1))));
    const sigmaT = Math.fround(sigma * alpha);
    const epsilon = sample.map((x) => 0.1 * x);
    const last = scheduler.step(epsilon, timesteps[9], sample, { shape: SHAPE });
    expect(last).toEqual(sample.map((x, i) => Math.fround(Math.fround(x - Math.fround(sigmaT * epsilon[i])) / alpha)));
  });

  it('the SDE variant needs a generator and depends on its seed', () => {
    const sde = (seed: number) =>
      fullLoop(createScheduler('dpmpp-2m', { ...CONFIG, algorithm_type: 'sde-dpmsolver++' }), 10, {
        scaleInput: false,
        generator: new TorchGenerator(seed),
      });
    expect(sde(0)).toEqual(sde(0));
    expect(sde(0)).not.toEqual(sde(1));
    const scheduler = createScheduler('dpmpp-2m', { ...CONFIG, algorithm_type: 'sde-dpmsolver++' });
    scheduler.setTimesteps(10);
    const sample = new Float32Array(768);
    expect(() => scheduler.step(sample, scheduler.timesteps[0], sample, { shape: SHAPE })).toThrow(/sde-dpmsolver\+\+ needs a generator/);
  });
});

describe('schedules for Stable Diffusion 1.5’s config', () => {
  const schedule = (steps: number, extra: Readonly<Record<string, unknown>> = {}) => {
    const scheduler = new DpmSolverMultistepScheduler({ ...SD15, ...extra });
    scheduler.setTimesteps(steps);
    return scheduler;
  };

  it('linspace (the default): round(linspace(0, 999, n + 1)) without its last point, halves to even', () => {
    // linspace(0, 999, 21)[10] = 499.5, which rounds to 500.
    expect(schedule(20).timesteps).toEqual([
      999, 949, 899, 849, 799, 749, 699, 649, 599, 549, 500, 450, 400, 350, 300, 250, 200, 150, 100, 50,
    ]);
    const fifty = schedule(50).timesteps;
    expect(fifty.slice(0, 3)).toEqual([999, 979, 959]);
    expect(fifty.slice(24, 27)).toEqual([519, 500, 480]);
    expect(fifty.at(-1)).toBe(20);
  });

  it('leading: multiples of 1000 // (n + 1) without the first, plus steps_offset', () => {
    expect(schedule(20, { timestep_spacing: 'leading' }).timesteps).toEqual(Array.from({ length: 20 }, (_, i) => 941 - 47 * i));
  });

  it('trailing: round(arange(1000, 0, -1000 / n)) - 1', () => {
    expect(schedule(20, { timestep_spacing: 'trailing' }).timesteps).toEqual(Array.from({ length: 20 }, (_, i) => 999 - 50 * i));
  });

  it('Karras: timesteps rounded from the Karras sigmas', () => {
    const scheduler = schedule(10, { use_karras_sigmas: true });
    expect(scheduler.timesteps).toEqual([999, 916, 815, 687, 523, 327, 146, 41, 7, 0]);
    expect(scheduler.sigmas[0]).toBe(14.614646911621094);
    expect(scheduler.sigmas[10]).toBe(0);
  });

  it('lambda_min_clipped drops the timesteps whose log-SNR is below it', () => {
    const cosine = (clip: number) => schedule(10, { beta_schedule: 'squaredcos_cap_v2', lambda_min_clipped: clip }).timesteps[0];
    expect(cosine(-Infinity)).toBe(999);
    expect(cosine(-5.1)).toBeLessThan(999);
  });
});

describe('config', () => {
  it('has diffusers’ defaults', () => {
    expect(new DpmSolverMultistepScheduler({}).config).toEqual({
      num_train_timesteps: 1000,
      beta_start: 0.0001,
      beta_end: 0.02,
      beta_schedule: 'linear',
      trained_betas: null,
      rescale_betas_zero_snr: false,
      thresholding: false,
      dynamic_thresholding_ratio: 0.995,
      sample_max_value: 1,
      solver_order: 2,
      prediction_type: 'epsilon',
      algorithm_type: 'dpmsolver++',
      solver_type: 'midpoint',
      lower_order_final: true,
      euler_at_final: false,
      use_karras_sigmas: false,
      use_exponential_sigmas: false,
      use_beta_sigmas: false,
      use_lu_lambdas: false,
      use_flow_sigmas: false,
      final_sigmas_type: 'zero',
      lambda_min_clipped: -Infinity,
      variance_type: null,
      timestep_spacing: 'linspace',
      steps_offset: 0,
      sigma_min: null,
      sigma_max: null,
    });
  });

  it('maps DEIS’s and UniPC’s algorithm and solver types as diffusers does', () => {
    const config = new DpmSolverMultistepScheduler({ algorithm_type: 'deis', solver_type: 'bh2' }).config;
    expect(config.algorithm_type).toBe('dpmsolver++');
    expect(config.solver_type).toBe('midpoint');
  });

  it.each([
    [{ algorithm_type: 'dpmsolver' }, /"algorithm_type": "dpmsolver" is not supported: deprecated in diffusers/],
    [{ algorithm_type: 'sde-dpmsolver' }, /"algorithm_type": "sde-dpmsolver" is not supported/],
    [{ algorithm_type: 'unipc' }, /"algorithm_type" must be one of "dpmsolver\+\+", "sde-dpmsolver\+\+"; got "unipc"/],
    [{ solver_order: 4 }, /"solver_order" must be an integer >= 1 and <= 3; got 4/],
    [{ prediction_type: 'flow_prediction' }, /"prediction_type": "flow_prediction" is not supported/],
    [{ use_flow_sigmas: true }, /"use_flow_sigmas": true is not supported/],
    [{ use_beta_sigmas: true }, /"use_beta_sigmas": true is not supported/],
    [{ use_karras_sigmas: true, use_lu_lambdas: true }, /only one of/],
    [{ variance_type: 'fixed' }, /"variance_type" must be one of "learned", "learned_range"; got "fixed"/],
  ])('refuses %o', (config, message) => {
    expect(() => new DpmSolverMultistepScheduler(config)).toThrow(SchedulerConfigError);
    expect(() => new DpmSolverMultistepScheduler(config)).toThrow(message);
  });

  it('reads sigma_min and sigma_max for Karras sigmas when the config has them', () => {
    const scheduler = new DpmSolverMultistepScheduler({ use_karras_sigmas: true, sigma_min: 0.1, sigma_max: 10 });
    scheduler.setTimesteps(5);
    expect(scheduler.sigmas[0]).toBe(10);
    expect(scheduler.sigmas[4]).toBe(Math.fround(0.1));
  });

  it('refuses a learned-variance output that does not have the sample’s channels', () => {
    const scheduler = createScheduler('dpmpp-2m', { variance_type: 'learned' });
    scheduler.setTimesteps(5);
    const sample = new Float32Array(4 * 4 * 8 * 8);
    expect(() => scheduler.step(new Float32Array(2 * sample.length), scheduler.timesteps[0], sample, { shape: [4, 4, 8, 8] })).toThrow(
      SchedulerUsageError,
    );
  });
});
