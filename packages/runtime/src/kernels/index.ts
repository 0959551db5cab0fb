/** Registers the wasm training kernels (composites). Filled in by the kernels work. */
export function registerWasmTrainingKernels(): void {}
