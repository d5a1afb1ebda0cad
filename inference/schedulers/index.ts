/**
 * Denoising schedulers for Stable Diffusion-family models, reproducing diffusers 0.3x's definitions: the same
 * timesteps, sigmas and updates, with numpy's float64 and torch's float32 arithmetic each where diffusers has
 * them, so that a seed gives the image diffusers gives.
 *
 * ```ts
 * const scheduler = createScheduler('euler-a', JSON.parse(schedulerConfigJson));
 * scheduler.setTimesteps(30);
 * let latents = noise.map((x) => x * scheduler.initNoiseSigma);
 * for (const t of scheduler.timesteps) {
 *   const eps = unet(scheduler.scaleModelInput(latents, t), t);
 *   latents = scheduler.step(eps, t, latents, { shape: [1, 4, 64, 64], generator });
 * }
 * ```
 */
import { DdimScheduler } from './ddim';
import { DpmSolverMultistepScheduler } from './dpm-solver-multistep';
import { EulerScheduler } from './euler';
import { EulerAncestralScheduler } from './euler-ancestral';
import { LcmScheduler } from './lcm';
import type { Scheduler } from './types';

export const SCHEDULER_NAMES = ['euler', 'euler-a', 'ddim', 'dpmpp-2m', 'lcm'] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];

export function isSchedulerName(name: string): name is SchedulerName {
  return SCHEDULER_NAMES.some((n) => n === name);
}

/**
 * A scheduler configured from a model's `scheduler/scheduler_config.json` (already parsed). Keys the chosen
 * scheduler does not read are ignored, as in diffusers, so any model's config works with any scheduler; keys it
 * reads are checked, and a bad value throws a `SchedulerConfigError` naming the key and the value.
 */
export function createScheduler(name: SchedulerName, config: unknown): Scheduler {
  switch (name) {
    case 'euler':
      return new EulerScheduler(config);
    case 'euler-a':
      return new EulerAncestralScheduler(config);
    case 'ddim':
      return new DdimScheduler(config);
    case 'dpmpp-2m':
      return new DpmSolverMultistepScheduler(config);
    case 'lcm':
      return new LcmScheduler(config);
  }
}

export { SchedulerConfigError, SchedulerUsageError } from './errors';
export type { NoiseSource, Scheduler, StepOptions } from './types';
