import { SchedulerUsageError } from './errors';

function list(timesteps: readonly number[]): string {
  const shown = timesteps.slice(0, 8).join(', ');
  return timesteps.length > 8 ? `[${shown}, … ${timesteps.length} in all]` : `[${shown}]`;
}

/**
 * Where a scheduler is in its schedule. Like diffusers' `step_index`, the first call finds its timestep in the
 * schedule — the second occurrence when a timestep repeats, so that a run starting mid-schedule (img2img) does
 * not skip a sigma — and each `step` moves to the next. Unlike diffusers, a timestep that is not the expected
 * one is an error, not a silent fallback.
 */
export class TimestepCursor {
  private schedule: readonly number[] = [];
  private index: number | null = null;

  constructor(private readonly scheduler: string) {}

  get timesteps(): readonly number[] {
    return this.schedule;
  }

  reset(timesteps: readonly number[]): void {
    this.schedule = Object.freeze([...timesteps]);
    this.index = null;
  }

  /** The index of `t` for the current step; does not move. */
  locate(t: number, call: string): number {
    if (this.schedule.length === 0) {
      throw new SchedulerUsageError(`${this.scheduler}: call setTimesteps(steps) before ${call}`);
    }
    if (this.index === null) {
      const found = this.schedule.flatMap((s, i) => (s === t ? [i] : []));
      if (found.length === 0) {
        throw new SchedulerUsageError(`${this.scheduler}: timestep ${t} is not in the schedule ${list(this.schedule)}`);
      }
      this.index = found.length > 1 ? found[1] : found[0];
      return this.index;
    }
    if (this.index >= this.schedule.length) {
      throw new SchedulerUsageError(
        `${this.scheduler}: all ${this.schedule.length} steps are done; call setTimesteps(steps) to start again`,
      );
    }
    const expected = this.schedule[this.index];
    if (t !== expected) {
      throw new SchedulerUsageError(
        `${this.scheduler}: expected timestep ${expected} (step ${this.index + 1} of ${this.schedule.length}), got ${t}`,
      );
    }
    return this.index;
  }

  advance(): void {
    if (this.index !== null) this.index += 1;
  }
}
