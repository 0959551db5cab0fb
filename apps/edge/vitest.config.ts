import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The files share one worker's modules (no file sets globals, mocks or env; each starts its own clouds):
    // every file re-importing gRPC, the engines and the data sets was about 10 s of the suite (85 tests pass so).
    isolate: false,
  },
});
