import { defineConfig } from 'vitest/config';
import { scaleTestEnv } from './tests/support/scale-stack.ts';
import { faultStackEnv, testStackEnv } from './tests/support/test-stack.ts';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'tests/tools/**/*.test.ts',
            'tests/demo/**/*.test.ts',
            'tests/tracing/**/*.test.ts',
            'tests/alerts/**/*.test.ts',
            'tests/analysis/**/*.test.ts',
            'tests/console/**/*.test.ts',
            'tests/api/**/*.test.ts',
            'tests/service/**/*.test.ts',
            'tests/storage/**/*.test.ts',
          ],
        },
      },
      {
        test: {
          // Against real servers: the suite's own stack (never the developer's), brought up
          // from empty data and stopped here.
          name: 'stack',
          env: testStackEnv,
          include: [
            'tests/deploy/**/*.test.ts',
            'tests/integration/**/*.test.ts',
            'tests/e2e/**/*.test.ts',
          ],
          globalSetup: ['tests/support/stack-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // Tests that stop and kill servers under load, on a stack of their own (ports + 8000)
          // so that they can run while the other tests use theirs (bin/test.ts).
          name: 'faults',
          env: faultStackEnv,
          include: ['tests/faults/**/*.test.ts'],
          globalSetup: ['tests/support/fault-stack-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // The scaled profile (stack:up --scale): 3 Elasticsearch nodes, gateway and
          // tail-sampling Collectors, 2 analysis replicas, on ports shifted by 6000.
          name: 'scale',
          env: scaleTestEnv,
          include: ['tests/scale/**/*.test.ts'],
          globalSetup: ['tests/support/scale-stack-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // The secured mode (stack:up --secure): a second stack on ports shifted by 20000.
          name: 'secure',
          include: ['tests/secure/**/*.test.ts'],
          globalSetup: ['tests/support/secure-stack-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
