/**
 * The training kernels that @tensorflow/tfjs-backend-wasm 4.22 lacks, built
 * from its own fast kernels. `registerWasmTrainingKernels` is idempotent: a
 * kernel already present (registered earlier, or shipped by a newer backend)
 * is left as it is.
 */
import '@tensorflow/tfjs-backend-wasm';
import { getKernel, registerKernel } from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { conv2dBackpropFilterConfig } from './conv2d_backprop_filter.ts';
import { depthwiseBackpropFilterConfig } from './depthwise_backprop_filter.ts';
import { depthwiseBackpropInputConfig } from './depthwise_backprop_input.ts';

/** Every kernel headstart adds to the wasm backend. */
export const WASM_TRAINING_KERNELS: readonly KernelConfig[] = [
  conv2dBackpropFilterConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
];

/** Registers the missing training kernels; returns the names of those it added this call. */
export function registerWasmTrainingKernels(): string[] {
  const added: string[] = [];
  for (const config of WASM_TRAINING_KERNELS) {
    if (getKernel(config.kernelName, 'wasm') !== undefined) continue;
    registerKernel(config);
    added.push(config.kernelName);
  }
  return added;
}
