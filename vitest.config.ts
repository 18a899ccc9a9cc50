import { defineConfig } from 'vitest/config'

// One config, one project per workspace package. Integration projects talk to a
// real Redis and real SQLite files, so they run their files one at a time.
export default defineConfig({
  test: {
    // The JSON report lets .ci/run print one plain "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    projects: [
      { test: { name: 'flow', root: 'packages/flow', include: ['src/**/*.test.ts'] } },
      { test: { name: 'db', root: 'packages/db', include: ['src/**/*.test.ts'] } },
      { test: { name: 'mail', root: 'packages/mail', include: ['src/**/*.test.ts'] } },
      { test: { name: 'queue', root: 'packages/queue', include: ['src/**/*.test.ts'] } },
      {
        test: {
          name: 'api',
          root: 'apps/api',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'worker',
          root: 'apps/worker',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // System tests start real processes (API, workers, Mailgun server): one file at a time.
        test: { name: 'e2e', root: 'e2e', include: ['**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false },
      },
      'apps/editor/vitest.config.ts',
      'apps/editor/vitest.e2e.config.ts',
    ],
  },
})
