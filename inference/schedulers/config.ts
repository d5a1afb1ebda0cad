/**
 * Reading a diffusers `scheduler_config.json` object. Each scheduler lists the keys it honours with diffusers'
 * default for each; other keys (`_class_name`, `skip_prk_steps`, keys of other schedulers) are ignored, as
 * diffusers ignores them. A key set to `null` takes its default, as a Python `None` does for optional arguments.
 */
import { SchedulerConfigError } from './errors';

export interface Field<T> {
  readonly fallback: T;
  read(value: unknown, key: string): T;
}

export type Spec<T> = { readonly [K in keyof T]: Field<T[K]> };

function show(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' || (typeof value === 'object' && value !== null) ? JSON.stringify(value) : String(value);
}

function invalid(key: string, expected: string, value: unknown): SchedulerConfigError {
  return new SchedulerConfigError(`scheduler_config.json: "${key}" must be ${expected}; got ${show(value)}`);
}

export function readConfig<T extends object>(raw: unknown, spec: Spec<T>): T {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SchedulerConfigError(`scheduler_config.json must be an object; got ${show(raw)}`);
  }
  const source = raw as Readonly<Record<string, unknown>>;
  const entries = Object.entries<Field<unknown>>(spec).map(([key, field]) => {
    const value = source[key];
    return [key, value === undefined || value === null ? field.fallback : field.read(value, key)] as const;
  });
  return Object.fromEntries(entries) as T;
}

export function bool(fallback: boolean): Field<boolean> {
  return {
    fallback,
    read(value, key) {
      if (typeof value !== 'boolean') throw invalid(key, 'true or false', value);
      return value;
    },
  };
}

interface Range {
  readonly min?: number;
  readonly max?: number;
  /** The smallest value is excluded. */
  readonly above?: number;
}

function inRange(value: number, range: Range): boolean {
  return (
    (range.min === undefined || value >= range.min) &&
    (range.max === undefined || value <= range.max) &&
    (range.above === undefined || value > range.above)
  );
}

function describe(kind: string, range: Range): string {
  const bounds = [
    range.min === undefined ? '' : `>= ${range.min}`,
    range.above === undefined ? '' : `> ${range.above}`,
    range.max === undefined ? '' : `<= ${range.max}`,
  ].filter(Boolean);
  return bounds.length === 0 ? kind : `${kind} ${bounds.join(' and ')}`;
}

/** A number; `-Infinity` is allowed where the range allows it (Python writes `-inf` into JSON that way). */
export function num(fallback: number, range: Range = {}): Field<number> {
  return {
    fallback,
    read(value, key) {
      if (typeof value !== 'number' || Number.isNaN(value) || !inRange(value, range)) {
        throw invalid(key, describe('a number', range), value);
      }
      return value;
    },
  };
}

export function int(fallback: number, range: Range = {}): Field<number> {
  return {
    fallback,
    read(value, key) {
      if (typeof value !== 'number' || !Number.isInteger(value) || !inRange(value, range)) {
        throw invalid(key, describe('an integer', range), value);
      }
      return value;
    },
  };
}

/** An optional positive number, absent by default (`sigma_min`, `sigma_max`). */
export function optionalPositive(): Field<number | null> {
  return {
    fallback: null,
    read(value, key) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
        throw invalid(key, 'a positive number or null', value);
      }
      return value;
    },
  };
}

export function oneOf<const V extends string>(values: readonly V[], fallback: V): Field<V> {
  return {
    fallback,
    read(value, key) {
      const found = values.find((v) => v === value);
      if (found === undefined) throw invalid(key, `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`, value);
      return found;
    },
  };
}

/**
 * A string value diffusers accepts but this implementation does not: the message says so, so that a model
 * which needs it fails at load with a reason rather than generating something else.
 */
export function oneOfOrUnsupported<const V extends string>(
  values: readonly V[],
  fallback: V,
  unsupported: Readonly<Record<string, string>>,
): Field<V> {
  const field = oneOf(values, fallback);
  return {
    fallback,
    read(value, key) {
      if (typeof value === 'string' && Object.hasOwn(unsupported, value)) {
        throw new SchedulerConfigError(`scheduler_config.json: "${key}": ${JSON.stringify(value)} is not supported: ${unsupported[value]}`);
      }
      return field.read(value, key);
    },
  };
}

/** A switch diffusers offers that is not implemented here: only `false` is accepted. */
export function unsupportedSwitch(reason: string): Field<false> {
  return {
    fallback: false,
    read(value, key) {
      if (value === false) return false;
      if (value === true) throw new SchedulerConfigError(`scheduler_config.json: "${key}": true is not supported: ${reason}`);
      throw invalid(key, 'true or false', value);
    },
  };
}

export function trainedBetas(): Field<readonly number[] | null> {
  return {
    fallback: null,
    read(value, key) {
      if (!Array.isArray(value) || value.length === 0) throw invalid(key, 'a non-empty array of numbers or null', value);
      return value.map((beta: unknown, i) => {
        if (typeof beta !== 'number' || !Number.isFinite(beta) || beta < 0 || beta >= 1) {
          throw invalid(`${key}[${i}]`, 'a number in [0, 1)', beta);
        }
        return beta;
      });
    },
  };
}
