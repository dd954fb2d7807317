import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Real servers (MLflow, emulators) and model training make some suites slow on 2 cores.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
