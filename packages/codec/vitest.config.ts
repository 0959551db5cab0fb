import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The property tests run 500-1500 cases each (1-3 s on a quiet 2-core machine); vitest's 5 s default
    // is a timing assertion they should not carry on a machine with both cores busy.
    testTimeout: 30_000,
  },
});
