import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The files share one worker's modules (no file sets globals, mocks or env): 56 tests in 14.2 s of CPU against 18.0 s with a fresh import per file
    // (2026-12-06, load 4-6).
    isolate: false,
  },
});
