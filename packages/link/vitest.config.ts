import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Timing checks (latency, bandwidth) are steadier one file at a time on a 2-core machine, and
    // against a shared real server (TOXIPROXY_URL) /reset must not race other files.
    fileParallelism: false,
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
