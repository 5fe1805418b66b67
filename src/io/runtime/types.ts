/**
 * One interface over the two ways the device runs a TensorFlow Lite model:
 * the official native runtime (tfjs-tflite-node) and the TypeScript
 * interpreter. Callers write inputs, call `run`, read outputs; typed arrays
 * only, nothing allocated per run.
 */
import type { TensorType } from '../../core/tflite/model.ts';
import type { TensorData } from '../../core/tflite/interpreter/context.ts';

export type RuntimeKind = 'native' | 'ts';
export type RuntimeChoice = RuntimeKind | 'auto';

export interface RuntimeTensor {
  name: string;
  type: TensorType;
  shape: readonly number[];
  /** Per-tensor quantization; 0 and 0 when the tensor is not quantized. */
  scale: number;
  zeroPoint: number;
  /** Live view: inputs are written here, outputs read here after `run`. */
  data: TensorData;
}

export interface TfliteRuntime {
  readonly kind: RuntimeKind;
  readonly inputs: readonly RuntimeTensor[];
  readonly outputs: readonly RuntimeTensor[];
  /**
   * Copies the given input arrays (one per model input, in order; omitted
   * ones keep what their view holds) into the inputs, runs the model and
   * returns the outputs (the same views every time).
   */
  run(...inputs: ArrayLike<number>[]): readonly RuntimeTensor[];
}

/** The feature-extractor role of a runtime, as the device pipeline sees it. */
export type ExtractorRuntime = TfliteRuntime;
