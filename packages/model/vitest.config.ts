import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The files share one worker's modules (tfjs, ONNX Runtime, the engines imported once; the one file that
    // switches the tfjs backend sets wasm back): 136 tests pass so, in 55 s of CPU at load 9.
    isolate: false,
  },
});
