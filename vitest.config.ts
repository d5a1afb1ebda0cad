import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here and in CI: the model tests are CPU-bound, so files run in two forks.
    pool: 'forks',
    maxWorkers: 2,
  },
});
