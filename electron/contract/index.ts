/**
 * The renderer↔main contract (CONVENTIONS.md › 3 and 4): calls, events, errors as data, and the two ends
 * derived from them. Imports nothing but zod; imported by every runtime.
 */
export * from './result';
export * from './schemas';
export * from './calls';
export * from './events';
export * from './platform';
export * from './companion-template';
export * from './client';
export * from './wire';
export * from './desktop';
