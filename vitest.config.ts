import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The embedded servers start once per run, not once per test file.
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/aws-environment.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
