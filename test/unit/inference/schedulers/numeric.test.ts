/** The numpy and torch primitives the schedules are built from, and the shared schedule math. */
import { describe, expect, it } from 'vitest';
import {
  alphasCumprod,
  karrasSigmas,
  logF32,
  sigmaToT,
  trainingBetas,
  trainingSigmas,
} from '../../../../inference/schedulers/noise-schedule';
import {
  cumprodF32,
  interpOverIndex,
  npArange,
  npLinspace,
  roundHalfEven,
  torchLinspaceF32,
} from '../../../../inference/schedulers/numeric';

const f32 = Math.fround;

describe('numpy', () => {
  it('round sends halves to the even neighbour', () => {
    expect([0.5, 1.5, 2.5, -1.5, 499.5, 937.5, 2.4999].map(roundHalfEven)).toEqual([0, 2, 2, -2, 500, 938, 2]);
  });

  it('linspace ends exactly on stop and supports endpoint=False', () => {
    expect(npLinspace(0, 999, 20).at(-1)).toBe(999);
    expect(npLinspace(0, 999, 20)[1]).toBe(999 / 19);
    expect(npLinspace(0, 50, 4, false)).toEqual([0, 12.5, 25, 37.5]);
    expect(npLinspace(3, 7, 1)).toEqual([3]);
  });

  it('arange takes its length from ceil((stop - start) / step), one too many for 1000 / 61', () => {
    expect(npArange(1000, 0, -50)).toHaveLength(20);
    const overshoot = npArange(1000, 0, -(1000 / 61));
    expect(overshoot).toHaveLength(62);
    expect(overshoot[61]).toBeCloseTo(0, 10);
    expect(npArange(1000, 0, -62.5).slice(0, 4)).toEqual([1000, 937.5, 875, 812.5]);
  });

  it('interp over indices clamps at both ends and is exact at the points', () => {
    const fp = [1, 3, 7];
    expect([-1, 0, 0.5, 1, 1.25, 2, 3].map((x) => interpOverIndex(x, fp))).toEqual([1, 1, 2, 3, 4, 7, 7]);
  });
});

describe('torch', () => {
  it('linspace counts up from start for the first half and down from end for the second', () => {
    const values = torchLinspaceF32(0.0001, 0.02, 1000);
    expect(values[0]).toBe(f32(0.0001));
    expect(values[999]).toBe(f32(0.02));
    const step = f32(f32(f32(0.02) - f32(0.0001)) / 999);
    expect(values[499]).toBe(f32(f32(0.0001) + f32(step * 499)));
    expect(values[500]).toBe(f32(f32(0.02) - f32(step * 499)));
  });

  it('cumprod keeps its running product in float64', () => {
    const values = new Float32Array([f32(0.9999), f32(0.9999), f32(0.9999)]);
    expect(cumprodF32(values)[2]).toBe(f32(f32(0.9999) ** 3));
  });
});

describe('training schedule', () => {
  const sd15 = {
    num_train_timesteps: 1000,
    beta_start: 0.00085,
    beta_end: 0.012,
    beta_schedule: 'scaled_linear',
    trained_betas: null,
    rescale_betas_zero_snr: false,
  } as const;

  it('Stable Diffusion 1.5’s sigmas run from 0.0292 to 14.6146', () => {
    const sigmas = trainingSigmas(alphasCumprod(trainingBetas(sd15)));
    expect(sigmas[0]).toBe(0.029167532920837402);
    expect(sigmas[999]).toBe(14.614646911621094);
  });

  it('zero terminal SNR rescaling ends on beta 1 (ᾱ = 0) and keeps ᾱ_0', () => {
    const plain = alphasCumprod(trainingBetas(sd15));
    const rescaled = alphasCumprod(trainingBetas({ ...sd15, rescale_betas_zero_snr: true }));
    expect(rescaled[999]).toBe(0);
    expect(rescaled[0]).toBeCloseTo(plain[0], 6);
  });

  it('the cosine schedule caps betas at 0.999', () => {
    const betas = trainingBetas({ ...sd15, beta_schedule: 'squaredcos_cap_v2' });
    expect(betas[999]).toBe(f32(0.999));
    expect(betas[0]).toBeGreaterThan(0);
  });

  it('sigma to t inverts the training sigmas at whole timesteps and interpolates in log sigma between', () => {
    const sigmas = trainingSigmas(alphasCumprod(trainingBetas(sd15)));
    const logs = logF32(sigmas);
    // ln σ in float64 against float32 log sigmas leaves t a hair off a whole timestep, as in numpy; the float32
    // timestep diffusers keeps is whole.
    expect(sigmaToT(sigmas[0], logs)).toBe(0);
    expect(f32(sigmaToT(sigmas[999], logs))).toBe(999);
    expect(sigmaToT(sigmas[500], logs)).toBeCloseTo(500, 4);
    const between = Math.exp((Math.log(sigmas[10]) + Math.log(sigmas[11])) / 2);
    expect(sigmaToT(between, logs)).toBeCloseTo(10.5, 2);
    expect(sigmaToT(1e-6, logs)).toBe(0);
    expect(sigmaToT(1e6, logs)).toBe(999);
  });

  it('Karras sigmas run from sigma_max to sigma_min', () => {
    const sigmas = karrasSigmas(0.02, 700, 10);
    expect(sigmas[0]).toBeCloseTo(700, 9);
    expect(sigmas[9]).toBeCloseTo(0.02, 12);
    for (let i = 1; i < sigmas.length; i++) expect(sigmas[i]).toBeLessThan(sigmas[i - 1]);
  });
});
