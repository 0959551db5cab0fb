import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The property tests run 500-1500 cases each (1-3 s on a quiet 2-core machine); vitest's 5 s default
    // is a timing assertion they should not carry on a machine with both cores busy.
    testTimeout: 30_000,
    // The files share one worker's modules (no file sets globals, mocks or env): 113 tests in 8.8 s of CPU
    // against 14.5 s with a fresh import per file (2026-12-06, load 4-6).
    isolate: false,
  },
});
