import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Timing checks (latency, bandwidth) are steadier one file at a time on a 2-core machine, and
    // against a shared real server (TOXIPROXY_URL) /reset must not race other files.
    fileParallelism: false,
    // The files share one worker's modules (the one file that clears TOXIPROXY_URL puts it back): 74 tests in
    // 10.3 s of CPU against 14.7 s with a fresh import per file (2026-12-06, load 2-4).
    isolate: false,
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
