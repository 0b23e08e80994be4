import { defineConfig } from 'vitest/config';

/**
 * Two projects: pure tests run in parallel; tests that start real servers (Temporal dev server, kube-apiserver,
 * the agent, processes in network namespaces) run one file at a time, since the machines have 2 cores.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/replay/**/*.test.ts', 'test/bundle/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'servers',
          include: [
            'test/workflows/**/*.test.ts',
            'test/integration/**/*.test.ts',
            'test/k8s/**/*.test.ts',
            'test/e2e/**/*.test.ts',
          ],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
