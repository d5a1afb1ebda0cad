/** A `scheduler_config.json` that diffusers' scheduler would refuse, or that uses a feature not supported here. */
export class SchedulerConfigError extends Error {
  override readonly name = 'SchedulerConfigError';
}

/** A scheduler called out of order or with values outside its schedule (CONVENTIONS.md 8). */
export class SchedulerUsageError extends Error {
  override readonly name = 'SchedulerUsageError';
}
