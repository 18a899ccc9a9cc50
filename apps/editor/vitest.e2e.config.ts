import { defineProject } from 'vitest/config'

// The editor in real Chromium against a real API, worker and Mailgun server
// (e2e/harness.ts). Slow and stateful: one file at a time, generous timeouts.
export default defineProject({
  test: {
    name: 'editor-e2e',
    environment: 'node',
    include: ['e2e/**/*.test.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 240_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
})
