import { defineConfig } from 'vitest/config';

// Suites that talk to the one MLflow server a test run shares (tests/support/mlflow-global.ts).
const MLFLOW_SUITES = [
  'tests/integration/mlflow.test.ts',
  'tests/integration/mlflow-pipeline.test.ts',
  'tests/integration/tracking-contract.test.ts',
];

export default defineConfig({
  test: {
    // Real servers (MLflow, emulators) and model training make some suites slow on 2 cores.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        // Pure tests: no server, no warehouse file, no CLI process (`make test-unit`).
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [
            'tests/integration/**/*.test.ts',
            'tests/infra/**/*.test.ts',
            'tests/dashboards/**/*.test.ts',
          ],
          exclude: MLFLOW_SUITES,
        },
      },
      {
        extends: true,
        test: {
          name: 'mlflow',
          include: MLFLOW_SUITES,
          // Started once per run, and only when one of these suites is selected.
          globalSetup: ['tests/support/mlflow-global.ts'],
        },
      },
    ],
  },
});
