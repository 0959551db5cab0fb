import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    fileParallelism: false,
    // The files share one worker's modules (no file sets globals, mocks or env; the runner and apps are their
    // own processes): the 63 tests besides the timeline's pass so.
    isolate: false,
  },
});
