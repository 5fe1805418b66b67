/**
 * Training kernels for @tensorflow/tfjs-backend-wasm 4.22, built from its own
 * fast kernels: those it lacks, and those it has but runs as slow direct
 * loops. `registerWasmTrainingKernels` is idempotent.
 */
import '@tensorflow/tfjs-backend-wasm';
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { conv2dBackpropFilterConfig } from './conv2d_backprop_filter.ts';
import { conv2dBackpropInputConfig } from './conv2d_backprop_input.ts';
import { depthwiseBackpropFilterConfig } from './depthwise_backprop_filter.ts';
import { depthwiseBackpropInputConfig } from './depthwise_backprop_input.ts';
import { tileConfig } from './tile.ts';

/** Kernels the wasm backend lacks; one it already has (e.g. from a newer release) is kept. */
export const WASM_MISSING_KERNELS: readonly KernelConfig[] = [
  conv2dBackpropFilterConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
];

/** Kernels the wasm backend has but that headstart replaces with faster ones. */
export const WASM_REPLACED_KERNELS: readonly KernelConfig[] = [conv2dBackpropInputConfig, tileConfig];

export const WASM_TRAINING_KERNELS: readonly KernelConfig[] = [...WASM_MISSING_KERNELS, ...WASM_REPLACED_KERNELS];

/** Registers the kernels above; returns the names of those it added or replaced this call. */
export function registerWasmTrainingKernels(): string[] {
  const changed: string[] = [];
  for (const config of WASM_MISSING_KERNELS) {
    if (getKernel(config.kernelName, 'wasm') !== undefined) continue;
    registerKernel(config);
    changed.push(config.kernelName);
  }
  for (const config of WASM_REPLACED_KERNELS) {
    const current = getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current !== undefined) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
    changed.push(config.kernelName);
  }
  return changed;
}

/** True when the wasm backend runs headstart's implementation of `kernelName`. */
export function isHeadstartKernel(kernelName: string): boolean {
  const config = WASM_TRAINING_KERNELS.find((k) => k.kernelName === kernelName);
  return config !== undefined && getKernel(kernelName, 'wasm')?.kernelFunc === config.kernelFunc;
}
